package io.songmap.audio.wav;

import io.songmap.audio.decode.PcmAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a RIFF/WAVE file as samples arrive, so a stem never has to exist whole as bytes. The header
 * is written first with zero sizes and completed by {@link #close()}; a file whose writer was not
 * closed has an incomplete header. Samples are floats nominally in [-1, 1]; {@link WavFormat#PCM_16}
 * clips outside that range, {@link WavFormat#FLOAT_32} keeps them as they are.
 *
 * <p>Not thread-safe. Durability (fsync, atomic rename) is the caller's business.
 */
public final class WavWriter implements AutoCloseable {
    private static final long MAX_DATA_BYTES = 0xFFFF_FFFFL - 64;

    private final FileChannel channel;
    private final int sampleRate;
    private final int channels;
    private final WavFormat format;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long frames;
    private boolean closed;

    private WavWriter(FileChannel channel, int sampleRate, int channels, WavFormat format) throws IOException {
        this.channel = channel;
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.format = format;
        writeHeader(0);
        flushBuffer();
    }

    /** Creates (or truncates) {@code path} and writes the header. */
    public static WavWriter create(Path path, int sampleRate, int channels, WavFormat format) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
        if (channels <= 0 || channels > 64) {
            throw new IllegalArgumentException("channels must be 1..64: " + channels);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new WavWriter(channel, sampleRate, channels, format);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Writes {@code audio} whole to {@code path}. */
    public static void write(Path path, PcmAudio audio, WavFormat format) throws IOException {
        try (WavWriter writer = create(path, audio.sampleRate(), audio.channels(), format)) {
            writer.write(audio.samples(), 0, audio.frames());
        }
    }

    /** Appends {@code count} frames from planar {@code samples[channel][frame]}, starting at frame {@code offset}. */
    public void write(float[][] samples, int offset, int count) throws IOException {
        ensureOpen();
        if (samples.length != channels) {
            throw new IllegalArgumentException("expected " + channels + " channels, got " + samples.length);
        }
        for (float[] channelSamples : samples) {
            Objects.checkFromIndexSize(offset, count, channelSamples.length);
        }
        checkSize(count);
        int frameBytes = channels * format.bytesPerSample();
        for (int i = offset; i < offset + count; i++) {
            if (buffer.remaining() < frameBytes) {
                flushBuffer();
            }
            for (int c = 0; c < channels; c++) {
                put(samples[c][i]);
            }
        }
        frames += count;
    }

    /** Appends {@code count} frames from interleaved {@code samples[frame * channels + channel]}. */
    public void writeInterleaved(float[] samples, int offset, int count) throws IOException {
        ensureOpen();
        Objects.checkFromIndexSize((long) offset * channels, (long) count * channels, samples.length);
        checkSize(count);
        int frameBytes = channels * format.bytesPerSample();
        int end = (offset + count) * channels;
        for (int i = offset * channels; i < end; i += channels) {
            if (buffer.remaining() < frameBytes) {
                flushBuffer();
            }
            for (int c = 0; c < channels; c++) {
                put(samples[i + c]);
            }
        }
        frames += count;
    }

    public long framesWritten() {
        return frames;
    }

    /** Flushes the samples and completes the header with the final sizes. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushBuffer();
            long dataBytes = frames * channels * format.bytesPerSample();
            if ((dataBytes & 1) == 1) {
                buffer.put((byte) 0); // RIFF chunks are word-aligned
                flushBuffer();
            }
            writeHeader(dataBytes);
            ByteBuffer header = buffer.flip();
            channel.write(header, 0);
            buffer.clear();
        } finally {
            channel.close();
        }
    }

    private void put(float sample) {
        if (format == WavFormat.FLOAT_32) {
            buffer.putFloat(sample);
        } else {
            float scaled = sample * 32768f;
            int value = Math.round(Math.max(-32768f, Math.min(32767f, scaled)));
            buffer.putShort((short) value);
        }
    }

    private void writeHeader(long dataBytes) {
        boolean isFloat = format == WavFormat.FLOAT_32;
        int fmtSize = isFloat ? 18 : 16;
        int factSize = isFloat ? 12 : 0;
        long riffSize = 4 + (8 + fmtSize) + factSize + 8 + dataBytes + (dataBytes & 1);
        int blockAlign = channels * format.bytesPerSample();
        buffer.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) riffSize).put(new byte[] {'W', 'A', 'V', 'E'});
        buffer.put(new byte[] {'f', 'm', 't', ' '}).putInt(fmtSize)
                .putShort((short) format.formatTag())
                .putShort((short) channels)
                .putInt(sampleRate)
                .putInt(sampleRate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) format.bitsPerSample());
        if (isFloat) {
            // Non-PCM formats carry a cbSize and a fact chunk with the frame count.
            buffer.putShort((short) 0);
            buffer.put(new byte[] {'f', 'a', 'c', 't'}).putInt(4).putInt((int) frames);
        }
        buffer.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
    }

    private void flushBuffer() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private void checkSize(int count) {
        long dataBytes = (frames + count) * channels * format.bytesPerSample();
        if (dataBytes > MAX_DATA_BYTES) {
            throw new IllegalStateException("a WAV file holds at most 4 GiB of samples");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
    }
}
