package io.songmap.audio.drums;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AnnoteatorFeatureTest {

    private static final double SR = 44_100;

    @Nested
    class MelScale {

        @Test
        void slaneyScaleIsLinearBelow1kHzAndLogarithmicAbove() {
            assertThat(SlaneyMelFilterbank.hzToMel(0)).isEqualTo(0);
            assertThat(SlaneyMelFilterbank.hzToMel(200.0 / 3)).isCloseTo(1, within(1e-12));
            assertThat(SlaneyMelFilterbank.hzToMel(1000)).isCloseTo(15, within(1e-12));
            // 27 mel per factor 6.4 above 1 kHz
            assertThat(SlaneyMelFilterbank.hzToMel(6400)).isCloseTo(15 + 27, within(1e-9));
            assertThat(SlaneyMelFilterbank.hzToMel(8000)).isCloseTo(15 + 27 * Math.log(8) / Math.log(6.4), within(1e-9));
            for (double hz : new double[] {0, 10, 500, 999.9, 1000, 4321, 8000, 22050}) {
                assertThat(SlaneyMelFilterbank.melToHz(SlaneyMelFilterbank.hzToMel(hz))).isCloseTo(hz, within(1e-9));
            }
        }

        @Test
        void everyFilterIsATriangleOfUnitAreaInHz() {
            SlaneyMelFilterbank mel = new SlaneyMelFilterbank(SR, 2048, 128, 0, 8000);
            double[] edges = SlaneyMelFilterbank.melFrequencies(130, 0, 8000);
            double binHz = SR / 2048;
            for (int m = 0; m < 128; m++) {
                double area = 0;
                for (int k = 0; k < mel.fftBins(); k++) {
                    assertThat(mel.weight(m, k)).isGreaterThanOrEqualTo(0);
                    double f = k * binHz;
                    if (f <= edges[m] || f >= edges[m + 2]) {
                        assertThat(mel.weight(m, k)).as("band %d outside its edges at %f Hz", m, f).isZero();
                    }
                    area += mel.weight(m, k) * binHz;
                }
                // Bands narrower than a few FFT bins sample the triangle too coarsely to integrate.
                if (edges[m + 2] - edges[m] > 8 * binHz) {
                    assertThat(area).as("area of band %d", m).isCloseTo(1, within(0.05));
                }
            }
        }
    }

    @Nested
    class Spectrogram {

        @Test
        void matchesTheNumpyReferenceOfLibrosaFormulas() throws IOException {
            float[] expected = floats("/drums/mel-reference-128x18.f32");
            float[] actual = AnnoteatorFeature.melSpectrogram(referenceClip());

            assertThat(actual).hasSize(128 * 18);
            double max = 0;
            double maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i]));
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            }
            System.out.printf("mel vs numpy reference: max abs difference %.3g (largest value %.4g)%n", maxDiff, max);
            assertThat(maxDiff / max).as("max difference relative to the largest value").isLessThan(1e-5);
        }

        /** A stationary sine on an FFT bin: the Hann window puts P at the bin and P/4 at each neighbour. */
        @Test
        void aBinCentredSineHasTheExpectedPowerInItsBandIncludingTheEdgeFrames() {
            int bin = 93; // 2002.6 Hz
            double amplitude = 0.25;
            float[] clip = new float[AnnoteatorFeature.CLIP_SAMPLES];
            for (int i = 0; i < clip.length; i++) {
                clip[i] = (float) (amplitude * Math.cos(2 * Math.PI * bin * i / 2048.0));
            }
            SlaneyMelFilterbank mel = new SlaneyMelFilterbank(SR, 2048, 128, 0, 8000);
            double peak = Math.pow(amplitude * 1024 / 2, 2);

            float[] s = AnnoteatorFeature.melSpectrogram(clip);

            for (int m = 0; m < 128; m++) {
                double expected = peak * (mel.weight(m, bin) + 0.25 * mel.weight(m, bin - 1) + 0.25 * mel.weight(m, bin + 1));
                // Reflect padding continues a cosine that peaks at sample 0 seamlessly, so the first
                // frame is as stationary as the middle ones (zero padding would halve it).
                for (int t : new int[] {0, 9}) {
                    assertThat((double) s[m * 18 + t]).as("band %d frame %d", m, t)
                            .isCloseTo(expected, within(1e-4 * peak * 0.01 + 1e-3 * expected));
                }
            }
        }

        @Test
        void rejectsAClipOfTheWrongLength() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AnnoteatorFeature.melSpectrogram(new float[8819]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class ClipAroundAnOnset {

        @Test
        void spansAQuarterOf32ndBeforeAndA16thAfterTheOnset() {
            assertThat(AnnoteatorFeature.paddingSamples(44_100, 120)).isEqualTo(689);   // 15.625 ms
            assertThat(AnnoteatorFeature.windowSamples(44_100, 120)).isEqualTo(5512);   // 125 ms
            float[] mono = new float[44_100];
            for (int i = 0; i < mono.length; i++) {
                mono[i] = i;
            }
            float[] clip = AnnoteatorFeature.clip(mono, 44_100, 10_000, 120);
            assertThat(clip).hasSize(689 + 5512);
            assertThat(clip[0]).isEqualTo(10_000 - 689);
            assertThat(clip[clip.length - 1]).isEqualTo(10_000 + 5512 - 1);
        }

        @Test
        void theResampledClipCarriesTheReferenceClipRate() {
            assertThat(AnnoteatorFeature.clipRate(44_100, 8820)).isEqualTo(44_100);
            // 120 BPM: 689 + 5512 samples stretched to 8820, int(44100 * 8820 / 6201)
            assertThat(AnnoteatorFeature.clipRate(44_100, 6201)).isEqualTo(62_725);
            float[] clip = referenceClip();
            assertThat(AnnoteatorFeature.melSpectrogram(clip, 44_100)).containsExactly(AnnoteatorFeature.melSpectrogram(clip));
            // read at the clip rate, the strongest tone (440 Hz at 44.1 kHz) is 440 * 62725 / 44100 Hz
            int band = argmaxBand(AnnoteatorFeature.melSpectrogram(clip, 62_725), 9);
            double[] edges = SlaneyMelFilterbank.melFrequencies(130, 0, 8000);
            assertThat(440.0 * 62_725 / 44_100).isBetween(edges[band], edges[band + 2]);
            assertThat(argmaxBand(AnnoteatorFeature.melSpectrogram(clip), 9)).isLessThan(band);
        }

        @Test
        void startsAtZeroNearTheBeginningAndPadsWithZerosPastTheEnd() {
            float[] mono = new float[3000];
            java.util.Arrays.fill(mono, 1f);
            assertThat(AnnoteatorFeature.clip(mono, 44_100, 100, 120)).hasSize(100 + 5512);
            float[] late = AnnoteatorFeature.clip(mono, 44_100, 2900, 120);
            assertThat(late).hasSize(689 + 5512);
            assertThat(late[689 + 99]).isEqualTo(1f);
            assertThat(late[689 + 100]).isZero();
        }

        @Test
        void theFeatureHasTheModelInputShape() {
            float[] mono = new float[44_100];
            for (int i = 22_050; i < mono.length; i++) {
                mono[i] = (float) (0.8 * Math.exp(-(i - 22_050) / 2000.0) * Math.sin(2 * Math.PI * 180 * i / 44_100.0));
            }
            float[] feature = AnnoteatorFeature.forOnset(mono, 44_100, 22_050, 120);
            assertThat(feature).hasSize(128 * 18);
            for (float v : feature) {
                assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Nested
    class Resampling {

        @Test
        void stretchesAToneToTheExactLengthWithoutDistortingIt() {
            int in = 6201;
            float[] x = new float[in];
            for (int i = 0; i < in; i++) {
                x[i] = (float) Math.sin(2 * Math.PI * 300 * i / SR);
            }
            float[] y = SincResampler.resample(x, 8820);
            assertThat(y).hasSize(8820);
            double ratio = 8820.0 / in;
            for (int j = 500; j < 8320; j++) {
                assertThat((double) y[j]).as("sample %d", j).isCloseTo(Math.sin(2 * Math.PI * 300 * (j / ratio) / SR), within(2e-3));
            }
        }

        @Test
        void removesWhatWouldAliasWhenShrinking() {
            int in = 13_230; // 0.3 s -> 8820 samples: the new Nyquist is 14.7 kHz of the original
            float[] x = new float[in];
            for (int i = 0; i < in; i++) {
                x[i] = (float) Math.sin(2 * Math.PI * 18_000 * i / SR);
            }
            float[] y = SincResampler.resample(x, 8820);
            double energy = 0;
            for (int j = 1000; j < 7820; j++) {
                energy += y[j] * y[j];
            }
            assertThat(Math.sqrt(energy / 6820)).isLessThan(1e-3);
        }
    }

    @Nested
    class Compression {

        @Test
        void leavesQuietSignalsAloneAndSettlesLoudOnesAtTheRatio() {
            FeedForwardCompressor c = FeedForwardCompressor.annoteator(SR);
            float[] quiet = new float[4410];
            java.util.Arrays.fill(quiet, 0.04f); // -28 dB
            float[] q = quiet.clone();
            c.process(q);
            assertThat(q).containsExactly(quiet);

            float[] loud = new float[4410];
            java.util.Arrays.fill(loud, 1f);
            c.process(loud);
            double threshold = Math.pow(10, -27 / 20.0);
            // 0 dB in, 27 dB over: 27/4 dB over the threshold out
            assertThat((double) loud[4409]).isCloseTo(threshold * Math.pow(1 / threshold, 0.25), within(1e-6));
            // a 1 ms attack: after 1 ms the envelope has risen by 1 - e^-2pi of the step
            double envAfter1ms = 1 - Math.exp(-2 * Math.PI);
            assertThat((double) loud[43]).isCloseTo(Math.pow(envAfter1ms / threshold, -0.75), within(0.02));
        }
    }

    static int argmaxBand(float[] mel, int frame) {
        int best = 0;
        for (int m = 1; m < 128; m++) {
            best = mel[m * 18 + frame] > mel[best * 18 + frame] ? m : best;
        }
        return best;
    }

    static float[] referenceClip() {
        float[] y = new float[AnnoteatorFeature.CLIP_SAMPLES];
        for (int n = 0; n < y.length; n++) {
            y[n] = (float) (0.5 * Math.sin(2 * Math.PI * 440.0 * n / SR)
                    + 0.2 * Math.sin(2 * Math.PI * 97.0 * n / SR + 0.3)
                    + 0.3 * Math.sin(2 * Math.PI * 3150.7 * n / SR + 1.0) * Math.exp(-n / 2000.0));
        }
        return y;
    }

    static float[] floats(String resource) throws IOException {
        try (InputStream in = AnnoteatorFeatureTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
    }
}
