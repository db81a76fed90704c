package io.songmap.audio.decode;

import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_DURATION_FROM_BITRATE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_CHANNEL_ORDER_UNSPEC;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import io.songmap.audio.wav.WavReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes an audio file (WAV, MP3, FLAC, Ogg Vorbis, Opus, M4A/AAC and anything else FFmpeg reads) to
 * {@value #OUTPUT_SAMPLE_RATE} Hz stereo float, planar ({@link PcmAudio}), with FFmpeg's libavformat,
 * libavcodec and libswresample through the bytedeco bindings, so no system FFmpeg is needed.
 *
 * <p><b>Timing.</b> The first output sample is the first sample the encoder was given: FFmpeg's demuxers
 * turn gapless metadata (the LAME/Xing header of an MP3, the edit list of an M4A, Opus pre-skip) into
 * skip-samples side data on the packets, and libavcodec drops those samples when decoding. Decoded
 * frames are concatenated; timestamp gaps inside a stream are not filled with silence. Mono inputs
 * are copied to both channels at unity gain; inputs with more than two channels are down-mixed by
 * libswresample's standard matrix.
 *
 * <p><b>Threads.</b> {@link #decode} is blocking native work (about 60 ms of CPU per minute of MP3).
 * Call it from a bounded worker pool (Vert.x {@code executeBlocking} or a worker verticle), never on
 * an event loop. Interrupting the calling thread stops it between packets with a
 * {@link CancellationException}, native memory released. Instances are immutable and safe to share.
 *
 * <p><b>Failures</b> are {@link AudioDecodeException}s with an {@link AudioErrorCode}, never retryable.
 * Too long is decided from the container's declared duration before decoding when it declares one,
 * and otherwise as soon as the decoded audio passes the limit.
 */
public final class AudioDecoder {
    public static final int OUTPUT_SAMPLE_RATE = 44_100;
    public static final int OUTPUT_CHANNELS = 2;

    /** {@code AVERROR(EAGAIN)} on Linux, the only platform whose natives this module ships. */
    private static final int AVERROR_EAGAIN = -11;
    /** Decode errors tolerated before a stream counts as corrupt: real files have the odd bad frame. */
    private static final int TOLERATED_BAD_PACKETS = 3;

    private final DecodeLimits limits;

    public AudioDecoder() {
        this(DecodeLimits.DEFAULT);
    }

    public AudioDecoder(DecodeLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public DecodeLimits limits() {
        return limits;
    }

    /**
     * Decodes {@code file}. Blocking; see the class comment for threads.
     *
     * @throws AudioDecodeException  with the reason the file cannot be used
     * @throws CancellationException when the calling thread is interrupted (its interrupt flag stays set)
     */
    public DecodedAudio decode(Path file) throws AudioDecodeException {
        Objects.requireNonNull(file, "file");
        String sha256 = sha256(file);
        FfmpegRuntime.ensureLoaded();

        AVFormatContext format = new AVFormatContext(null);
        int rc = avformat_open_input(format, "file:" + file.toAbsolutePath(), null, null);
        if (rc < 0) {
            // On failure FFmpeg has already freed the context.
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                    "not a readable media file (" + FfmpegRuntime.describe(rc) + ")");
        }
        try {
            return decodeOpened(file, format, sha256);
        } finally {
            avformat_close_input(format);
        }
    }

    private DecodedAudio decodeOpened(Path file, AVFormatContext format, String sha256) throws AudioDecodeException {
        int rc = avformat_find_stream_info(format, (PointerPointer<?>) null);
        if (rc < 0) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                    "cannot read stream information (" + FfmpegRuntime.describe(rc) + ")");
        }
        int streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
        if (streamIndex == AVERROR_STREAM_NOT_FOUND) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_NO_STREAM,
                    "the " + containerName(format) + " file has no audio stream");
        }
        if (streamIndex < 0) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                    "cannot select an audio stream (" + FfmpegRuntime.describe(streamIndex) + ")");
        }
        for (int i = 0; i < format.nb_streams(); i++) {
            if (i != streamIndex) {
                format.streams(i).discard(AVDISCARD_ALL);
            }
        }
        AVStream stream = format.streams(streamIndex);
        AVCodecParameters parameters = stream.codecpar();
        String codecName = avcodec_get_name(parameters.codec_id()).getString(StandardCharsets.UTF_8);
        SourceFormat source = new SourceFormat(containerName(format), codecName, parameters.sample_rate(),
                parameters.ch_layout().nb_channels(), declaredSeconds(format, stream));
        if (source.container().equals("wav")) {
            rejectTruncatedWav(file);
        }
        boolean durationTrusted = !Double.isNaN(source.declaredSeconds())
                && format.duration_estimation_method() != AVFMT_DURATION_FROM_BITRATE;
        // A second of slack: containers count encoder delay and padding in their duration.
        if (!Double.isNaN(source.declaredSeconds()) && source.declaredSeconds() > limits.maxSeconds() + 1.0) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_TOO_LONG, String.format(Locale.ROOT, 
                    "the file declares %.1f s of audio, the limit is %.1f s", source.declaredSeconds(), limits.maxSeconds()));
        }

        AVCodec codec = avcodec_find_decoder(parameters.codec_id());
        if (codec == null) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_UNSUPPORTED_CODEC,
                    "no decoder for audio codec '" + codecName + "'");
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        try {
            rc = avcodec_parameters_to_context(context, parameters);
            if (rc < 0) {
                throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                        "invalid " + codecName + " stream parameters (" + FfmpegRuntime.describe(rc) + ")");
            }
            context.pkt_timebase(stream.time_base());
            rc = avcodec_open2(context, codec, (AVDictionary) null);
            if (rc < 0) {
                throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                        "the " + codecName + " decoder rejects this stream (" + FfmpegRuntime.describe(rc) + ")");
            }
            int expectedFrames = durationTrusted && source.declaredSeconds() <= limits.maxSeconds() + 1.0
                    ? (int) Math.ceil(source.declaredSeconds() * OUTPUT_SAMPLE_RATE) + 4096
                    : 60 * OUTPUT_SAMPLE_RATE;
            try (StreamDecoder decoder = new StreamDecoder(format, context, streamIndex, expectedFrames)) {
                decoder.run();
                return finish(decoder, source, durationTrusted, sha256);
            }
        } finally {
            avcodec_free_context(context);
        }
    }

    private DecodedAudio finish(StreamDecoder decoder, SourceFormat source, boolean durationTrusted, String sha256)
            throws AudioDecodeException {
        double seconds = (double) decoder.output.frames / OUTPUT_SAMPLE_RATE;
        if (decoder.output.frames == 0) {
            boolean declaresAudio = durationTrusted && source.declaredSeconds() > 0;
            if (decoder.packets == 0 && decoder.readError == 0 && !declaresAudio) {
                throw new AudioDecodeException(AudioErrorCode.AUDIO_EMPTY,
                        "the " + source.codec() + " stream holds no audio");
            }
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                    "no decodable audio in the " + source.codec() + " stream");
        }
        if (decoder.badPackets > TOLERATED_BAD_PACKETS && decoder.badPackets * 20L > decoder.packets) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                    decoder.badPackets + " of " + decoder.packets + " " + source.codec() + " packets failed to decode");
        }
        // A stream that ends well before the length its container declares was cut short.
        boolean shortOfDeclared = durationTrusted
                && seconds < source.declaredSeconds() - Math.max(0.5, 0.02 * source.declaredSeconds());
        if (shortOfDeclared || (decoder.readError != 0 && !durationTrusted)) {
            String why = decoder.readError != 0 ? FfmpegRuntime.describe(decoder.readError) : "end of file";
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT, String.format(Locale.ROOT, 
                    "truncated: audio stops at %.2f s (%s)%s", seconds, why,
                    durationTrusted ? String.format(Locale.ROOT, " of a declared %.2f s", source.declaredSeconds()) : ""));
        }
        if (seconds > limits.maxSeconds()) {
            throw tooLong(seconds);
        }
        if (seconds < limits.minSeconds()) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_TOO_SHORT, String.format(Locale.ROOT, 
                    "%.3f s of audio, the minimum is %.3f s", seconds, limits.minSeconds()));
        }
        return new DecodedAudio(new PcmAudio(OUTPUT_SAMPLE_RATE, decoder.output.toStereo()), sha256, source);
    }

    private AudioDecodeException tooLong(double seconds) {
        return new AudioDecodeException(AudioErrorCode.AUDIO_TOO_LONG, String.format(Locale.ROOT, 
                "%.1f s of audio, the limit is %.1f s", seconds, limits.maxSeconds()));
    }

    /** Reads packets of one stream, decodes them and converts the frames to the output format. */
    private final class StreamDecoder implements AutoCloseable {
        private final AVFormatContext format;
        private final AVCodecContext context;
        private final int streamIndex;
        private final long maxFrames;
        private final AVPacket packet;
        private final AVFrame frame;
        private final PlanarBuffer output;
        private final Converter converter = new Converter();
        long packets;
        long badPackets;
        /** The first error other than end of file that stopped reading, or 0. */
        int readError;

        StreamDecoder(AVFormatContext format, AVCodecContext context, int streamIndex, int expectedFrames) {
            this.format = format;
            this.context = context;
            this.streamIndex = streamIndex;
            this.maxFrames = (long) Math.ceil(limits.maxSeconds() * OUTPUT_SAMPLE_RATE) + OUTPUT_SAMPLE_RATE;
            this.output = new PlanarBuffer(expectedFrames);
            AVPacket p = av_packet_alloc();
            AVFrame f = av_frame_alloc();
            if (p == null || f == null) {
                av_packet_free(p);
                av_frame_free(f);
                throw new OutOfMemoryError("av_packet_alloc/av_frame_alloc");
            }
            this.packet = p;
            this.frame = f;
        }

        void run() throws AudioDecodeException {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("decoding interrupted");
                }
                int rc = av_read_frame(format, packet);
                if (rc < 0) {
                    if (rc != AVERROR_EOF) {
                        readError = rc;
                    }
                    break;
                }
                try {
                    if (packet.stream_index() != streamIndex) {
                        continue;
                    }
                    packets++;
                    int sent = avcodec_send_packet(context, packet);
                    if (sent == AVERROR_INVALIDDATA) {
                        badPackets++;
                        continue;
                    }
                    if (sent < 0 && sent != AVERROR_EAGAIN) {
                        throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                                "decoding failed (" + FfmpegRuntime.describe(sent) + ")");
                    }
                } finally {
                    av_packet_unref(packet);
                }
                drainDecoder();
            }
            avcodec_send_packet(context, null);
            drainDecoder();
            converter.flush(output);
        }

        private void drainDecoder() throws AudioDecodeException {
            while (true) {
                int rc = avcodec_receive_frame(context, frame);
                if (rc == AVERROR_EAGAIN || rc == AVERROR_EOF) {
                    return;
                }
                if (rc < 0) {
                    badPackets++;
                    return;
                }
                try {
                    converter.convert(frame, output);
                } finally {
                    av_frame_unref(frame);
                }
                if (output.frames > maxFrames) {
                    throw tooLong((double) output.frames / OUTPUT_SAMPLE_RATE);
                }
            }
        }

        @Override
        public void close() {
            converter.close();
            av_frame_free(frame);
            av_packet_free(packet);
        }
    }

    /**
     * libswresample set up for the current input format; rebuilt (after draining) if a stream changes
     * format, rate or layout part-way. Output is planar float at the output rate, one channel for mono
     * inputs (duplicated at the end) and two for everything else.
     */
    private static final class Converter implements AutoCloseable {
        private SwrContext swr;
        private int inFormat = -1;
        private int inRate = -1;
        private int inChannels = -1;
        private int outChannels;
        private FloatPointer[] buffers = new FloatPointer[0];
        private PointerPointer<FloatPointer> bufferPointers;
        private int capacity;

        void convert(AVFrame frame, PlanarBuffer output) throws AudioDecodeException {
            int channels = frame.ch_layout().nb_channels();
            if (swr == null || frame.format() != inFormat || frame.sample_rate() != inRate || channels != inChannels) {
                flush(output);
                open(frame, output);
            }
            int needed = swr_get_out_samples(swr, frame.nb_samples());
            ensureCapacity(needed);
            int produced = swr_convert(swr, bufferPointers, capacity, frame.extended_data(), frame.nb_samples());
            if (produced < 0) {
                throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                        "sample conversion failed (" + FfmpegRuntime.describe(produced) + ")");
            }
            output.append(buffers, produced);
        }

        void flush(PlanarBuffer output) throws AudioDecodeException {
            if (swr == null) {
                return;
            }
            while (true) {
                ensureCapacity(4096);
                int produced = swr_convert(swr, bufferPointers, capacity, (PointerPointer<?>) null, 0);
                if (produced < 0) {
                    throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                            "sample conversion failed (" + FfmpegRuntime.describe(produced) + ")");
                }
                if (produced == 0) {
                    break;
                }
                output.append(buffers, produced);
            }
            swr_free(swr);
            swr = null;
        }

        private void open(AVFrame frame, PlanarBuffer output) throws AudioDecodeException {
            inFormat = frame.format();
            inRate = frame.sample_rate();
            inChannels = frame.ch_layout().nb_channels();
            if (inChannels <= 0 || inRate <= 0) {
                throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT,
                        "decoded frame without channels or sample rate");
            }
            outChannels = inChannels == 1 ? 1 : 2;
            output.useChannels(outChannels);
            AVChannelLayout inLayout = new AVChannelLayout();
            AVChannelLayout outLayout = new AVChannelLayout();
            try {
                if (frame.ch_layout().order() == AV_CHANNEL_ORDER_UNSPEC) {
                    av_channel_layout_default(inLayout, inChannels);
                } else if (av_channel_layout_copy(inLayout, frame.ch_layout()) < 0) {
                    throw new OutOfMemoryError("av_channel_layout_copy");
                }
                av_channel_layout_default(outLayout, outChannels);
                SwrContext created = new SwrContext(null);
                int rc = swr_alloc_set_opts2(created, outLayout, AV_SAMPLE_FMT_FLTP, OUTPUT_SAMPLE_RATE,
                        inLayout, inFormat, inRate, 0, null);
                if (rc < 0 || created.isNull()) {
                    throw new AudioDecodeException(AudioErrorCode.AUDIO_UNSUPPORTED_CODEC,
                            "cannot convert samples of this format (" + FfmpegRuntime.describe(rc) + ")");
                }
                swr = created;
                rc = swr_init(swr);
                if (rc < 0) {
                    throw new AudioDecodeException(AudioErrorCode.AUDIO_UNSUPPORTED_CODEC,
                            "cannot convert samples of this format (" + FfmpegRuntime.describe(rc) + ")");
                }
            } finally {
                av_channel_layout_uninit(inLayout);
                av_channel_layout_uninit(outLayout);
                inLayout.close();
                outLayout.close();
            }
        }

        private void ensureCapacity(int frames) {
            if (frames <= capacity && buffers.length == outChannels) {
                return;
            }
            releaseBuffers();
            capacity = Math.max(frames, 8192);
            buffers = new FloatPointer[outChannels];
            for (int c = 0; c < outChannels; c++) {
                buffers[c] = new FloatPointer(capacity);
            }
            bufferPointers = new PointerPointer<>(buffers);
        }

        private void releaseBuffers() {
            for (FloatPointer buffer : buffers) {
                buffer.close();
            }
            if (bufferPointers != null) {
                bufferPointers.close();
                bufferPointers = null;
            }
            buffers = new FloatPointer[0];
            capacity = 0;
        }

        @Override
        public void close() {
            if (swr != null) {
                swr_free(swr);
                swr = null;
            }
            releaseBuffers();
        }
    }

    /** Growable planar float storage for the decoded output. */
    private static final class PlanarBuffer {
        private float[][] channels = new float[0][];
        private int initialCapacity;
        int frames;

        PlanarBuffer(int initialCapacity) {
            this.initialCapacity = Math.max(initialCapacity, 4096);
        }

        /**
         * Prepares for {@code count} channels. A stream that turns from mono to stereo part-way has what
         * came before duplicated; one that turns from stereo to mono keeps two channels ({@link #append}
         * copies its one channel into both).
         */
        void useChannels(int count) {
            if (channels.length == 0) {
                channels = new float[count][initialCapacity];
            } else if (count > channels.length) {
                float[][] widened = new float[count][];
                for (int c = 0; c < count; c++) {
                    widened[c] = Arrays.copyOf(channels[Math.min(c, channels.length - 1)], channels[0].length);
                }
                channels = widened;
            }
        }

        void append(FloatPointer[] source, int count) {
            if (count <= 0) {
                return;
            }
            if (frames + count > channels[0].length) {
                int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) frames + count, channels[0].length * 3L / 2));
                for (int c = 0; c < channels.length; c++) {
                    channels[c] = Arrays.copyOf(channels[c], grown);
                }
            }
            for (int c = 0; c < channels.length; c++) {
                FloatPointer from = source[Math.min(c, source.length - 1)];
                from.position(0).get(channels[c], frames, count);
            }
            frames += count;
        }

        float[][] toStereo() {
            float[][] stereo = new float[OUTPUT_CHANNELS][];
            for (int c = 0; c < OUTPUT_CHANNELS; c++) {
                float[] channel = channels[Math.min(c, channels.length - 1)];
                stereo[c] = channel.length == frames && c < channels.length ? channel : Arrays.copyOf(channel, frames);
            }
            return stereo;
        }
    }

    /** FFmpeg sizes a WAV by the file, not by its data chunk, so a cut-off WAV would pass unnoticed. */
    private static void rejectTruncatedWav(Path file) throws AudioDecodeException {
        WavReader.Layout layout;
        try {
            layout = WavReader.layout(file);
        } catch (IOException e) {
            return; // FFmpeg read it; a header we do not follow is no evidence of damage
        }
        if (layout.truncated()) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_CORRUPT, String.format(Locale.ROOT, 
                    "truncated: the WAV data chunk declares %d bytes, the file holds %d",
                    layout.declaredBytes(), layout.presentBytes()));
        }
    }

    private static String containerName(AVFormatContext format) {
        return format.iformat() == null ? "unknown" : format.iformat().name().getString(StandardCharsets.UTF_8);
    }

    private static double declaredSeconds(AVFormatContext format, AVStream stream) {
        if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0 && stream.time_base().den() > 0) {
            return stream.duration() * (double) stream.time_base().num() / stream.time_base().den();
        }
        if (format.duration() != AV_NOPTS_VALUE && format.duration() > 0) {
            return format.duration() / (double) AV_TIME_BASE;
        }
        return Double.NaN;
    }

    /** Streams the file through SHA-256; this is also where missing, unreadable and empty files are caught. */
    private static String sha256(Path file) throws AudioDecodeException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
                total += n;
            }
        } catch (NoSuchFileException e) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_EMPTY, "no such file: " + file.getFileName(), e);
        } catch (IOException e) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_EMPTY,
                    "cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
        if (total == 0) {
            throw new AudioDecodeException(AudioErrorCode.AUDIO_EMPTY, "the file is empty");
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
