package io.songmap.audio.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StftTest {
    @Test
    void aSineAtABinCentrePeaksThereWithAQuarterOfTheFrameSize() {
        int n = 1024;
        int rate = 44_100;
        int bin = 40;
        float[] x = new float[rate];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(2 * Math.PI * bin * i / n);
        }
        Stft stft = new Stft(n, 256);

        float[][] m = stft.magnitudes(x);

        assertThat(m).hasNumberOfRows(1 + rate / 256);
        float[] middle = m[m.length / 2];
        assertThat(middle).hasSize(513);
        int peak = 0;
        for (int k = 1; k < middle.length; k++) {
            if (middle[k] > middle[peak]) {
                peak = k;
            }
        }
        assertThat(peak).isEqualTo(bin);
        assertThat(middle[bin]).isCloseTo(n / 4f, within(0.01f * n / 4));
        assertThat(middle[bin + 1]).isCloseTo(n / 8f, within(0.01f * n / 4)); // Hann main lobe
        assertThat(stft.binFrequency(bin, rate)).isCloseTo(bin * 44_100.0 / n, within(1e-9));
    }

    @Test
    void framesAreCentredOnTheirTime() {
        float[] x = new float[10_000];
        x[5_000] = 1f;
        Stft stft = new Stft(512, 100);

        float[][] m = stft.magnitudes(x);

        // The frame centred on the impulse sees it with the window's full weight: a flat spectrum of 1.
        assertThat(m[50][10]).isCloseTo(1f, within(1e-5f));
        assertThat(Stft.frameTime(50, 100, 10_000)).isEqualTo(0.5);
        // Frames whose window misses the impulse see nothing.
        assertThat(m[40][10]).isEqualTo(0f);
    }

    @Test
    void melFiltersCoverTheRangeWithUnitPeaks() {
        MelFilterbank mel = new MelFilterbank(40, 2048, 44_100, 30, 8_000);
        float[] flat = new float[1025];
        java.util.Arrays.fill(flat, 1f);
        float[] bands = new float[40];

        mel.apply(flat, bands);

        for (float band : bands) {
            assertThat(band).isGreaterThan(0.5f);
        }
        assertThat(MelFilterbank.hz(MelFilterbank.mel(1234.5))).isCloseTo(1234.5, within(1e-9));
    }
}
