package io.songmap.audio.drums;

import java.util.Arrays;

/**
 * librosa's mel filterbank with its defaults {@code htk=False, norm='slaney'} (librosa 0.8.0,
 * {@code librosa.filters.mel}): the Slaney (Auditory Toolbox) mel scale, linear below 1 kHz and
 * logarithmic above, {@code n_mels + 2} edges equally spaced in mel between {@code fmin} and
 * {@code fmax}, triangular filters over the FFT bin frequencies {@code k * sr / n_fft}, each scaled
 * by {@code 2 / (f[i+2] - f[i])} so that every filter has unit area in Hz.
 */
public final class SlaneyMelFilterbank {

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    private final int nMels;
    private final int nBins;
    /** The non-zero part of each filter, float32 like librosa's default dtype: bins from[m] onwards. */
    private final float[][] weights;
    private final int[] from;

    public SlaneyMelFilterbank(double sampleRate, int nFft, int nMels, double fmin, double fmax) {
        if (!(fmax > fmin) || fmax > sampleRate / 2 + 1e-9 || fmin < 0) {
            throw new IllegalArgumentException("need 0 <= fmin < fmax <= sr/2, got " + fmin + ", " + fmax);
        }
        this.nMels = nMels;
        this.nBins = nFft / 2 + 1;
        double[] fftFreqs = new double[nBins];
        for (int k = 0; k < nBins; k++) {
            fftFreqs[k] = k * (sampleRate / 2) / (nBins - 1);
        }
        double[] melF = melFrequencies(nMels + 2, fmin, fmax);
        weights = new float[nMels][];
        from = new int[nMels];
        float[] dense = new float[nBins];
        for (int m = 0; m < nMels; m++) {
            double lowerWidth = melF[m + 1] - melF[m];
            double upperWidth = melF[m + 2] - melF[m + 1];
            double enorm = 2.0 / (melF[m + 2] - melF[m]);
            int first = nBins;
            int end = 0;
            for (int k = 0; k < nBins; k++) {
                double lower = (fftFreqs[k] - melF[m]) / lowerWidth;
                double upper = (melF[m + 2] - fftFreqs[k]) / upperWidth;
                // librosa computes the triangles in float64, normalises, then stores float32
                dense[k] = (float) (Math.max(0, Math.min(lower, upper)) * enorm);
                if (dense[k] != 0) {
                    first = Math.min(first, k);
                    end = k + 1;
                }
            }
            from[m] = end == 0 ? 0 : first;
            weights[m] = Arrays.copyOfRange(dense, from[m], Math.max(from[m], end));
        }
    }

    /** Slaney mel of a frequency in Hz ({@code librosa.hz_to_mel(htk=False)}). */
    public static double hzToMel(double hz) {
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    /** Inverse of {@link #hzToMel}. */
    public static double melToHz(double mel) {
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }

    /** {@code librosa.mel_frequencies(n, fmin, fmax, htk=False)}: n frequencies equally spaced in mel. */
    public static double[] melFrequencies(int n, double fmin, double fmax) {
        double lo = hzToMel(fmin);
        double hi = hzToMel(fmax);
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = melToHz(lo + (hi - lo) * i / (n - 1));
        }
        return f;
    }

    public int melBands() {
        return nMels;
    }

    public int fftBins() {
        return nBins;
    }

    /** Weight of FFT bin {@code k} in mel band {@code m}. */
    public float weight(int m, int k) {
        int i = k - from[m];
        return i >= 0 && i < weights[m].length ? weights[m][i] : 0f;
    }

    /** mel[m] = sum_k weight[m][k] * power[k] for one frame. */
    public void apply(double[] power, double[] mel) {
        for (int m = 0; m < nMels; m++) {
            float[] w = weights[m];
            int offset = from[m];
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                s += w[i] * power[offset + i];
            }
            mel[m] = s;
        }
    }
}
