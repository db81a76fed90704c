package io.songmap.audio.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

    static float[] sine(double hz, int rate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    static double rms(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) x[i] * x[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    @ParameterizedTest
    @CsvSource({"44100, 16000, 1000", "44100, 22050, 3000", "22050, 44100, 3000", "48000, 44100, 5000", "44100, 16000, 6000"})
    void aToneInThePassBandKeepsItsLevelAndPhase(int from, int to, double hz) {
        float[] out = Resampler.resample(sine(hz, from, 1.0, 0.5), from, to);

        assertThat(out.length).isEqualTo((int) Math.ceil(from * 1.0 * to / from));
        float[] ideal = sine(hz, to, 1.0, 0.5);
        double maxError = 0;
        for (int i = to / 10; i < to * 9 / 10; i++) { // away from the zero-padded ends
            maxError = Math.max(maxError, Math.abs(out[i] - ideal[i]));
        }
        assertThat(maxError).isLessThan(0.5 * 1e-3);
    }

    @ParameterizedTest
    @CsvSource({"44100, 16000, 9000", "44100, 16000, 12000", "44100, 22050, 12000", "44100, 22050, 18000"})
    void aToneAboveTheNewNyquistIsRemovedInsteadOfAliased(int from, int to, double hz) {
        float[] out = Resampler.resample(sine(hz, from, 1.0, 0.5), from, to);

        double level = rms(out, to / 10, to * 9 / 10) / (0.5 / Math.sqrt(2));
        assertThat(20 * Math.log10(level)).isLessThan(-70);
    }

    @Test
    void anImpulseKeepsItsTime() {
        float[] in = new float[44_100];
        in[22_050] = 1f; // 0.5 s
        float[] out = Resampler.resample(in, 44_100, 16_000);

        int peak = 0;
        for (int i = 1; i < out.length; i++) {
            if (out[i] > out[peak]) {
                peak = i;
            }
        }
        assertThat(peak).isEqualTo(8_000);
    }

    @Test
    void aConstantStaysConstant() {
        float[] in = new float[10_000];
        java.util.Arrays.fill(in, 0.25f);
        float[] out = Resampler.resample(in, 44_100, 22_050);
        for (int i = 100; i < out.length - 100; i++) {
            assertThat(out[i]).isCloseTo(0.25f, within(1e-6f));
        }
    }

    @Test
    void equalRatesReturnTheInput() {
        float[] in = {1, 2, 3};
        assertThat(Resampler.resample(in, 16_000, 16_000)).isSameAs(in);
    }

    @Test
    void resamplersAreSharedPerRatePair() {
        assertThat(Resampler.between(44_100, 16_000)).isSameAs(Resampler.between(44_100, 16_000));
    }

    @Test
    void ratesWithoutACommonFactorAreRefused() {
        assertThatThrownBy(() -> Resampler.between(44_100, 22_051)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stereoAudioBecomesMonoAtTheTargetRate() {
        float[] left = sine(440, 44_100, 1.0, 0.5);
        float[] right = new float[left.length];
        PcmAudio audio = new PcmAudio(44_100, new float[][] {left, right});

        float[] mono = audio.toMono(16_000);

        assertThat(mono).hasSize(16_000);
        assertThat(rms(mono, 1_600, 14_400)).isCloseTo(0.25 / Math.sqrt(2), within(1e-3));
    }
}
