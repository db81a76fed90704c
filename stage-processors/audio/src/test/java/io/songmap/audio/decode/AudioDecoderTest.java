package io.songmap.audio.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AudioDecoderTest {
    private static final Path SHARED_KICKS = Path.of("../../../shared/data/808kick120bpm.mp3");

    private final AudioDecoder decoder = new AudioDecoder();

    @TempDir
    Path dir;

    static Path fixture(String name) throws IOException {
        Path target = Files.createTempFile("fixture-", "-" + name);
        target.toFile().deleteOnExit();
        try (InputStream in = AudioDecoderTest.class.getResourceAsStream("/audio/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Index of the largest absolute sample: where the fixtures' one-sample click ends up. */
    static int peakIndex(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (Math.abs(x[i]) > Math.abs(x[best])) {
                best = i;
            }
        }
        return best;
    }

    @Nested
    class EveryFormat {
        @ParameterizedTest
        @ValueSource(strings = {"click-22k-mono.wav", "click-48k.flac", "click.mp3", "click.ogg", "click.opus", "click.m4a"})
        void decodesToStereo44kWithTheClickAtHalfASecond(String name) throws Exception {
            DecodedAudio decoded = decoder.decode(fixture(name));
            PcmAudio audio = decoded.audio();

            assertThat(audio.sampleRate()).isEqualTo(44_100);
            assertThat(audio.channels()).isEqualTo(2);
            assertThat(audio.durationSeconds()).isCloseTo(1.5, within(0.01));
            for (float[] channel : audio.samples()) {
                double clickSeconds = peakIndex(channel) / 44_100.0;
                assertThat(clickSeconds).as("click time in %s", name).isCloseTo(0.5, within(0.002));
            }
        }

        @Test
        void monoIsCopiedToBothChannelsAtFullLevel() throws Exception {
            PcmAudio audio = decoder.decode(fixture("click-22k-mono.wav")).audio();

            assertThat(audio.channel(0)).isEqualTo(audio.channel(1));
            assertThat(audio.channel(0)).isNotSameAs(audio.channel(1));
            // The one-sample click of 0.9 at 22,050 Hz is band-limited, not attenuated by an up-mix.
            float peak = audio.channel(0)[peakIndex(audio.channel(0))];
            assertThat(peak).isGreaterThan(0.8f);
        }

        @Test
        void reportsTheSourceFormatAndTheFileHash() throws Exception {
            DecodedAudio decoded = decoder.decode(fixture("click.mp3"));

            assertThat(decoded.sha256()).isEqualTo("9e127e6fc7e2e0c9674bc535f0b938790c8ffee2f4958bb7cc09e7561a7a4963");
            assertThat(decoded.source().container()).isEqualTo("mp3");
            assertThat(decoded.source().codec()).isEqualTo("mp3");
            assertThat(decoded.source().sampleRate()).isEqualTo(44_100);
            assertThat(decoded.source().channels()).isEqualTo(2);
        }
    }

    @Test
    void anInterruptedThreadStopsDecoding() throws Exception {
        Path file = fixture("click-48k.flac");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> decoder.decode(file)).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(decoder.decode(file).audio().frames()).isPositive();
    }

    @Nested
    class GaplessMp3 {
        @Test
        void encoderDelayIsRemovedSoTheFirstKickStartsAtZero() throws Exception {
            assumeTrue(Files.isReadable(SHARED_KICKS), "shared test data not present");
            PcmAudio audio = decoder.decode(SHARED_KICKS).audio();

            // The pattern was rendered from t = 0 and lasts exactly 10 s; ignoring the LAME header
            // would start it 1,105 samples (25 ms) late and make it 2,257 samples longer.
            assertThat(audio.frames()).isEqualTo(441_000);
            float[] mono = audio.mixToMono();
            float max = 0;
            for (float v : mono) {
                max = Math.max(max, Math.abs(v));
            }
            int first = 0;
            while (Math.abs(mono[first]) < 0.05f * max) {
                first++;
            }
            assertThat(first / 44_100.0).isLessThan(0.002);
        }
    }

    @Nested
    class Rejections {
        @Test
        void missingFile() {
            assertFails(dir.resolve("nothing-here.mp3"), AudioErrorCode.AUDIO_EMPTY);
        }

        @Test
        void emptyFile() throws IOException {
            assertFails(Files.createFile(dir.resolve("empty.mp3")), AudioErrorCode.AUDIO_EMPTY);
        }

        @Test
        void wavWithoutSamples() throws IOException {
            Path file = dir.resolve("header-only.wav");
            WavWriter.create(file, 44_100, 2, WavFormat.PCM_16).close();
            assertFails(file, AudioErrorCode.AUDIO_EMPTY);
        }

        @Test
        void directory() {
            assertFails(dir, AudioErrorCode.AUDIO_EMPTY);
        }

        @Test
        void randomBytes() throws IOException {
            byte[] noise = new byte[20_000];
            new Random(7).nextBytes(noise);
            assertFails(Files.write(dir.resolve("noise.mp3"), noise), AudioErrorCode.AUDIO_CORRUPT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"click-22k-mono.wav", "click-48k.flac", "click.mp3", "click.m4a"})
        void truncatedToHalf(String name) throws IOException {
            byte[] bytes = Files.readAllBytes(fixture(name));
            Path cut = Files.write(dir.resolve("cut-" + name), Arrays.copyOf(bytes, bytes.length / 2));
            assertFails(cut, AudioErrorCode.AUDIO_CORRUPT);
        }

        @Test
        void flacWithScrambledFrames() throws IOException {
            byte[] bytes = Files.readAllBytes(fixture("click-48k.flac"));
            Random random = new Random(11);
            for (int i = 4_000; i < bytes.length - 200; i++) {
                bytes[i] = (byte) random.nextInt();
            }
            assertFails(Files.write(dir.resolve("scrambled.flac"), bytes), AudioErrorCode.AUDIO_CORRUPT);
        }

        @Test
        void videoWithoutAudio() throws IOException {
            assertFails(fixture("video-only.mp4"), AudioErrorCode.AUDIO_NO_STREAM);
        }

        @Test
        void unknownCodec() throws IOException {
            // A WAV whose format tag no decoder knows.
            Path file = dir.resolve("unknown-codec.wav");
            writeWav(file, 2.0, 44_100, 1);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 0x5A5A);
            Files.write(file, bytes);
            assertFails(file, AudioErrorCode.AUDIO_UNSUPPORTED_CODEC);
        }

        @Test
        void shorterThanOneSecond() throws IOException {
            Path file = dir.resolve("short.wav");
            writeWav(file, 0.9, 44_100, 2);
            assertFails(file, AudioErrorCode.AUDIO_TOO_SHORT);
        }

        @Test
        void longerThanTheLimitByTheDeclaredDurationFailsBeforeDecoding() throws IOException {
            Path file = dir.resolve("long.wav");
            writeWav(file, 3.5, 8_000, 1);
            AudioDecoder strict = new AudioDecoder(DecodeLimits.withMaxDuration(Duration.ofSeconds(2)));
            assertThatThrownBy(() -> strict.decode(file))
                    .isInstanceOfSatisfying(AudioDecodeException.class, e -> {
                        assertThat(e.code()).isEqualTo(AudioErrorCode.AUDIO_TOO_LONG);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).contains("declares 3.5 s");
                    });
        }

        @Test
        void longerThanTheLimitByTheDecodedAudio() throws IOException {
            // Within the second of slack allowed for a container's encoder delay and padding, so only
            // the decoded length can tell.
            Path file = dir.resolve("long.wav");
            writeWav(file, 2.6, 8_000, 1);
            AudioDecoder strict = new AudioDecoder(DecodeLimits.withMaxDuration(Duration.ofSeconds(2)));
            assertThatThrownBy(() -> strict.decode(file))
                    .isInstanceOfSatisfying(AudioDecodeException.class, e -> {
                        assertThat(e.code()).isEqualTo(AudioErrorCode.AUDIO_TOO_LONG);
                        assertThat(e.getMessage()).contains("2.6 s of audio");
                    });
        }

        @Test
        void longerThanTheLimitWithoutADeclaredDurationStopsEarly() throws IOException {
            // A streaming WAV (sizes unknown in its header) of 10 s against a 2 s limit.
            Path file = dir.resolve("streamed.wav");
            writeWav(file, 10, 8_000, 1);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -1).putInt(40, -1);
            Files.write(file, bytes);
            AudioDecoder strict = new AudioDecoder(DecodeLimits.withMaxDuration(Duration.ofSeconds(2)));
            assertThatThrownBy(() -> strict.decode(file))
                    .isInstanceOfSatisfying(AudioDecodeException.class,
                            e -> assertThat(e.code()).isEqualTo(AudioErrorCode.AUDIO_TOO_LONG));
        }

        @Test
        void withinTheLimitDecodes() throws Exception {
            Path file = dir.resolve("ok.wav");
            writeWav(file, 1.5, 8_000, 1);
            AudioDecoder strict = new AudioDecoder(DecodeLimits.withMaxDuration(Duration.ofSeconds(2)));
            assertThat(strict.decode(file).audio().durationSeconds()).isCloseTo(1.5, within(0.001));
        }

        private void assertFails(Path file, AudioErrorCode code) {
            assertThatThrownBy(() -> decoder.decode(file))
                    .isInstanceOfSatisfying(AudioDecodeException.class, e -> assertThat(e.code()).isEqualTo(code));
        }
    }

    /** A WAV of a 440 Hz tone, 16-bit. */
    static void writeWav(Path file, double seconds, int rate, int channels) throws IOException {
        int frames = (int) Math.round(seconds * rate);
        float[][] samples = new float[channels][frames];
        for (int i = 0; i < frames; i++) {
            float v = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / rate));
            for (int c = 0; c < channels; c++) {
                samples[c][i] = v;
            }
        }
        WavWriter.write(file, new PcmAudio(rate, samples), WavFormat.PCM_16);
    }
}
