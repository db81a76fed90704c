package io.songmap.audio.dsp;

/**
 * Triangular filters equally spaced on the mel scale (HTK formula), unit peak, stored sparsely: each
 * filter keeps only the bins it covers, so applying one costs about two multiply-adds per bin.
 */
public final class MelFilterbank {
    private final int[] firstBin;
    private final float[][] weights;

    public MelFilterbank(int bands, int frameSize, double sampleRate, double minHz, double maxHz) {
        if (bands <= 0 || !(minHz >= 0) || !(maxHz > minHz) || maxHz > sampleRate / 2) {
            throw new IllegalArgumentException("invalid mel filterbank: " + bands + " bands, " + minHz + ".." + maxHz
                    + " Hz at " + sampleRate + " Hz");
        }
        int bins = frameSize / 2 + 1;
        double minMel = mel(minHz);
        double maxMel = mel(maxHz);
        double[] edges = new double[bands + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = hz(minMel + (maxMel - minMel) * i / (bands + 1));
        }
        firstBin = new int[bands];
        weights = new float[bands][];
        double binHz = sampleRate / frameSize;
        for (int b = 0; b < bands; b++) {
            double lo = edges[b];
            double centre = edges[b + 1];
            double hi = edges[b + 2];
            int first = Math.max(0, (int) Math.ceil(lo / binHz));
            int last = Math.min(bins - 1, (int) Math.floor(hi / binHz));
            if (last < first) {
                // Narrower than a bin at low frequencies: take the nearest bin whole.
                first = last = Math.min(bins - 1, (int) Math.round(centre / binHz));
            }
            float[] w = new float[last - first + 1];
            for (int k = first; k <= last; k++) {
                double f = k * binHz;
                double v = f <= centre ? (f - lo) / (centre - lo) : (hi - f) / (hi - centre);
                w[k - first] = (float) Math.max(0, Math.min(1, v));
            }
            if (first == last) {
                w[0] = 1f;
            }
            firstBin[b] = first;
            weights[b] = w;
        }
    }

    public int bands() {
        return weights.length;
    }

    /** Writes the band energies of {@code spectrum} into {@code out} (length {@link #bands()}). */
    public void apply(float[] spectrum, float[] out) {
        for (int b = 0; b < weights.length; b++) {
            float[] w = weights[b];
            int first = firstBin[b];
            float sum = 0;
            for (int k = 0; k < w.length; k++) {
                sum += w[k] * spectrum[first + k];
            }
            out[b] = sum;
        }
    }

    public static double mel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    public static double hz(double mel) {
        return 700 * (Math.pow(10, mel / 2595) - 1);
    }
}
