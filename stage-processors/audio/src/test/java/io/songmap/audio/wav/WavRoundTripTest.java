package io.songmap.audio.wav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.PcmAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavRoundTripTest {
    @TempDir
    Path dir;

    static PcmAudio noise(int rate, int channels, int frames, long seed) {
        Random random = new Random(seed);
        float[][] samples = new float[channels][frames];
        for (float[] channel : samples) {
            for (int i = 0; i < frames; i++) {
                channel[i] = (float) (random.nextGaussian() * 0.3);
            }
        }
        return new PcmAudio(rate, samples);
    }

    @Test
    void float32IsExact() throws IOException {
        PcmAudio audio = noise(44_100, 2, 30_001, 1);
        Path file = dir.resolve("f.wav");

        WavWriter.write(file, audio, WavFormat.FLOAT_32);
        PcmAudio back = WavReader.read(file);

        assertThat(back.sampleRate()).isEqualTo(44_100);
        assertThat(back.channels()).isEqualTo(2);
        assertThat(back.channel(0)).isEqualTo(audio.channel(0));
        assertThat(back.channel(1)).isEqualTo(audio.channel(1));
        assertThat(WavReader.layout(file).formatTag()).isEqualTo(3);
    }

    @Test
    void pcm16IsWithinHalfAStepAndClips() throws IOException {
        PcmAudio audio = noise(22_050, 1, 10_000, 2);
        audio.channel(0)[0] = 1.5f;
        audio.channel(0)[1] = -1.5f;
        Path file = dir.resolve("s16.wav");

        WavWriter.write(file, audio, WavFormat.PCM_16);
        PcmAudio back = WavReader.read(file);

        assertThat(Files.size(file)).isEqualTo(44 + 2 * 10_000);
        assertThat(back.channel(0)[0]).isEqualTo(32767 / 32768f);
        assertThat(back.channel(0)[1]).isEqualTo(-1f);
        for (int i = 2; i < 10_000; i++) {
            float expected = Math.max(-1f, Math.min(32767 / 32768f, audio.channel(0)[i]));
            assertThat(back.channel(0)[i]).isCloseTo(expected, within(0.5f / 32768 + 1e-7f));
        }
    }

    @Test
    void streamedBlocksEqualOneWrite() throws IOException {
        PcmAudio audio = noise(48_000, 2, 100_000, 3);
        Path whole = dir.resolve("whole.wav");
        Path streamed = dir.resolve("streamed.wav");
        WavWriter.write(whole, audio, WavFormat.PCM_16);

        try (WavWriter writer = WavWriter.create(streamed, 48_000, 2, WavFormat.PCM_16)) {
            for (int offset = 0; offset < audio.frames(); offset += 7_777) {
                writer.write(audio.samples(), offset, Math.min(7_777, audio.frames() - offset));
            }
            assertThat(writer.framesWritten()).isEqualTo(100_000);
        }

        assertThat(Files.readAllBytes(streamed)).isEqualTo(Files.readAllBytes(whole));
    }

    @Test
    void interleavedWritesMatchPlanarWrites() throws IOException {
        PcmAudio audio = noise(44_100, 2, 5_000, 4);
        float[] interleaved = new float[10_000];
        for (int i = 0; i < 5_000; i++) {
            interleaved[2 * i] = audio.channel(0)[i];
            interleaved[2 * i + 1] = audio.channel(1)[i];
        }
        Path planar = dir.resolve("planar.wav");
        Path inter = dir.resolve("interleaved.wav");
        WavWriter.write(planar, audio, WavFormat.FLOAT_32);
        try (WavWriter writer = WavWriter.create(inter, 44_100, 2, WavFormat.FLOAT_32)) {
            writer.writeInterleaved(interleaved, 0, 5_000);
        }
        assertThat(Files.readAllBytes(inter)).isEqualTo(Files.readAllBytes(planar));
    }

    @Test
    void ffmpegReadsWhatWeWrite() throws Exception {
        PcmAudio audio = noise(44_100, 2, 88_200, 5);
        Path file = dir.resolve("for-ffmpeg.wav");
        WavWriter.write(file, audio, WavFormat.FLOAT_32);

        PcmAudio decoded = new AudioDecoder().decode(file).audio();

        assertThat(decoded.frames()).isEqualTo(88_200);
        assertThat(decoded.channel(1)).isEqualTo(audio.channel(1));
    }

    @Test
    void reads24BitExtensibleAndSkipsUnknownChunks() throws IOException {
        int frames = 3;
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + 4 + 8 + 40 + 8 + frames * 3).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
        b.put("LIST".getBytes()).putInt(4).put("INFO".getBytes());
        b.put("fmt ".getBytes()).putInt(40).putShort((short) 0xFFFE).putShort((short) 1).putInt(8_000)
                .putInt(24_000).putShort((short) 3).putShort((short) 24)
                .putShort((short) 22).putShort((short) 24).putInt(4)
                .putShort((short) 1).put(new byte[14]); // KSDATAFORMAT_SUBTYPE_PCM
        b.put("data".getBytes()).putInt(frames * 3);
        b.put(new byte[] {0, 0, 0x40}).put(new byte[] {0, 0, (byte) 0xC0}).put(new byte[] {1, 0, 0});
        Path file = Files.write(dir.resolve("s24.wav"), b.array());

        PcmAudio audio = WavReader.read(file);

        assertThat(audio.sampleRate()).isEqualTo(8_000);
        assertThat(audio.channel(0)).containsExactly(0.5f, -0.5f, 1f / 8388608);
    }

    @Test
    void aCutOffFileIsReportedTruncatedAndReadUpToItsEnd() throws IOException {
        Path file = dir.resolve("cut.wav");
        WavWriter.write(file, noise(8_000, 1, 1_000, 6), WavFormat.PCM_16);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, 44 + 1_000));

        assertThat(WavReader.layout(file).truncated()).isTrue();
        assertThat(WavReader.read(file).frames()).isEqualTo(500);
    }
}
