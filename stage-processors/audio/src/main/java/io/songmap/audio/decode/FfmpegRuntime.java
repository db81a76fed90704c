package io.songmap.audio.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the FFmpeg natives once and routes FFmpeg's own log lines to SLF4J. */
final class FfmpegRuntime {
    private static final Logger FFMPEG_LOG = LoggerFactory.getLogger("io.songmap.audio.decode.ffmpeg");

    private FfmpegRuntime() {
    }

    /**
     * FFmpeg complains loudly about every damaged file it is given; the decoder turns those into
     * {@link AudioDecodeException}s, so its lines are diagnostics (debug), not errors.
     */
    private static final class Slf4jLogCallback extends LogCallback {
        @Override
        public void call(int level, BytePointer message) {
            if (level > AV_LOG_WARNING) {
                return;
            }
            String text = message.getString(StandardCharsets.UTF_8).stripTrailing();
            if (level <= AV_LOG_FATAL) {
                FFMPEG_LOG.warn(text);
            } else if (FFMPEG_LOG.isDebugEnabled()) {
                FFMPEG_LOG.debug("{}{}", level <= AV_LOG_ERROR ? "error: " : "", text);
            }
        }
    }

    private static final class Holder {
        static final Slf4jLogCallback CALLBACK;

        static {
            Loader.load(org.bytedeco.ffmpeg.global.avutil.class);
            Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
            Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
            Loader.load(org.bytedeco.ffmpeg.global.swresample.class);
            CALLBACK = new Slf4jLogCallback();
            CALLBACK.retainReference();
            org.bytedeco.ffmpeg.global.avutil.setLogCallback(CALLBACK);
            av_log_set_level(AV_LOG_WARNING);
        }
    }

    static void ensureLoaded() {
        if (Holder.CALLBACK == null) {
            throw new IllegalStateException("FFmpeg natives did not load");
        }
    }

    static String describe(int errorCode) {
        byte[] buffer = new byte[256];
        if (av_strerror(errorCode, buffer, buffer.length) < 0) {
            return "FFmpeg error " + errorCode;
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }
}
