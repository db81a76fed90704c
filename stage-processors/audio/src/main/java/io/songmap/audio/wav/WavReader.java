package io.songmap.audio.wav;

import io.songmap.audio.decode.PcmAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a whole RIFF/WAVE file into {@link PcmAudio}: integer PCM of 8, 16, 24 or 32 bits, IEEE float of
 * 32 or 64 bits, plain or WAVE_FORMAT_EXTENSIBLE. Integers scale to [-1, 1) by dividing by 2^(bits-1).
 * A data chunk that claims more bytes than the file holds (a writer that never finished) is read up to
 * the end of the file. Anything else FFmpeg can decode goes through {@code AudioDecoder} instead.
 */
public final class WavReader {
    private static final int TAG_PCM = 1;
    private static final int TAG_FLOAT = 3;
    private static final int TAG_EXTENSIBLE = 0xFFFE;

    private WavReader() {
    }

    /**
     * Where a WAV file's samples are and how many bytes its data chunk claims.
     *
     * @param formatTag     1 for integer PCM, 3 for IEEE float (the sub-format of an extensible header)
     * @param dataOffset    file offset of the first sample byte
     * @param declaredBytes the data chunk's size field (0xFFFFFFFF or 0 from writers that stream)
     * @param presentBytes  the bytes of the data chunk actually in the file
     */
    public record Layout(int formatTag, int channels, int sampleRate, int bitsPerSample, long dataOffset,
            long declaredBytes, long presentBytes) {

        /** True when the data chunk claims a real size that the file does not hold: the file was cut short. */
        public boolean truncated() {
            return declaredBytes != 0 && declaredBytes != 0xFFFF_FFFFL && presentBytes < declaredBytes;
        }
    }

    public static PcmAudio read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Layout layout = layout(channel);
            return decode(channel, layout.dataOffset(), layout.presentBytes(), layout.formatTag(), layout.channels(),
                    layout.sampleRate(), layout.bitsPerSample());
        }
    }

    /** Reads only the header chunks of {@code path}. */
    public static Layout layout(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return layout(channel);
        }
    }

    private static Layout layout(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer header = readFully(channel, 0, 12);
        if (header.getInt() != 0x46464952 /* RIFF */ || header.getInt(8) != 0x45564157 /* WAVE */) {
            throw new IOException("not a RIFF/WAVE file");
        }
        long pos = 12;
        int tag = -1;
        int channels = 0;
        int sampleRate = 0;
        int bits = 0;
        while (pos + 8 <= size) {
            ByteBuffer chunk = readFully(channel, pos, 8);
            int id = chunk.getInt();
            long length = Integer.toUnsignedLong(chunk.getInt());
            long body = pos + 8;
            if (id == 0x20746d66 /* "fmt " */) {
                ByteBuffer fmt = readFully(channel, body, (int) Math.min(length, 40));
                tag = Short.toUnsignedInt(fmt.getShort());
                channels = Short.toUnsignedInt(fmt.getShort());
                sampleRate = fmt.getInt();
                fmt.getInt(); // byte rate
                fmt.getShort(); // block align
                bits = Short.toUnsignedInt(fmt.getShort());
                if (tag == TAG_EXTENSIBLE && length >= 40) {
                    tag = Short.toUnsignedInt(fmt.getShort(24)); // first two bytes of the sub-format GUID
                }
            } else if (id == 0x61746164 /* "data" */) {
                if (tag < 0) {
                    throw new IOException("data chunk before fmt chunk");
                }
                return new Layout(tag, channels, sampleRate, bits, body, length, Math.min(length, size - body));
            }
            pos = body + length + (length & 1);
        }
        throw new IOException("no data chunk");
    }

    private static PcmAudio decode(FileChannel channel, long offset, long length, int tag, int channels,
            int sampleRate, int bits) throws IOException {
        boolean isFloat = tag == TAG_FLOAT;
        if (!(tag == TAG_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32))
                && !(isFloat && (bits == 32 || bits == 64))) {
            throw new IOException("unsupported WAV sample format: tag " + tag + ", " + bits + " bits");
        }
        if (channels <= 0 || sampleRate <= 0) {
            throw new IOException("invalid WAV format: " + channels + " channels at " + sampleRate + " Hz");
        }
        int bytes = bits / 8;
        long frameCount = length / ((long) bytes * channels);
        if (frameCount > Integer.MAX_VALUE - 8) {
            throw new IOException("WAV file too large: " + frameCount + " frames");
        }
        int frames = (int) frameCount;
        float[][] samples = new float[channels][frames];
        int frameBytes = bytes * channels;
        int framesPerBlock = Math.max(1, (1 << 16) / frameBytes);
        ByteBuffer block = ByteBuffer.allocate(framesPerBlock * frameBytes).order(ByteOrder.LITTLE_ENDIAN);
        int frame = 0;
        long pos = offset;
        while (frame < frames) {
            int n = Math.min(framesPerBlock, frames - frame);
            block.clear().limit(n * frameBytes);
            while (block.hasRemaining()) {
                int read = channel.read(block, pos + block.position());
                if (read < 0) {
                    throw new IOException("unexpected end of WAV data");
                }
            }
            block.flip();
            for (int i = 0; i < n; i++, frame++) {
                for (int c = 0; c < channels; c++) {
                    samples[c][frame] = sample(block, bits, isFloat);
                }
            }
            pos += (long) n * frameBytes;
        }
        return new PcmAudio(sampleRate, samples);
    }

    private static float sample(ByteBuffer b, int bits, boolean isFloat) {
        if (isFloat) {
            return bits == 32 ? b.getFloat() : (float) b.getDouble();
        }
        switch (bits) {
            case 8:
                return ((b.get() & 0xFF) - 128) / 128f;
            case 16:
                return b.getShort() / 32768f;
            case 24: {
                int lo = b.get() & 0xFF;
                int mid = b.get() & 0xFF;
                int hi = b.get();
                return ((hi << 16) | (mid << 8) | lo) / 8388608f;
            }
            default:
                return (float) (b.getInt() / 2147483648.0);
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("truncated WAV header");
            }
        }
        return buffer.flip();
    }
}
