package io.songmap.audio.drums;

/**
 * Band-limited resampling to an exact output length: Kaiser-windowed sinc interpolation with the
 * parameters of resampy's {@code kaiser_best} filter, which librosa 0.8 uses by default (64 zero
 * crossings, Kaiser beta 14.7697, roll-off 0.9476). When shrinking, the cut-off follows the new
 * Nyquist frequency so nothing aliases.
 */
final class SincResampler {

    private static final int ZEROS = 64;
    private static final double BETA = 14.769656459379492;
    private static final double ROLLOFF = 0.9475937167399596;
    private static final int TABLE_PER_ZERO = 512;
    private static final double[] WINDOWED_SINC = table();

    private SincResampler() {}

    private static double[] table() {
        double[] t = new double[ZEROS * TABLE_PER_ZERO + 2];
        double i0Beta = besselI0(BETA);
        for (int i = 0; i < t.length; i++) {
            double x = (double) i / TABLE_PER_ZERO;
            double r = Math.min(1, x / ZEROS);
            double window = besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            double sinc = x == 0 ? 1 : Math.sin(Math.PI * ROLLOFF * x) / (Math.PI * ROLLOFF * x);
            t[i] = ROLLOFF * sinc * window;
        }
        return t;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 60; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }

    private static double kernel(double x) {
        double pos = Math.abs(x) * TABLE_PER_ZERO;
        int i = (int) pos;
        if (i >= ZEROS * TABLE_PER_ZERO) {
            return 0;
        }
        double frac = pos - i;
        return WINDOWED_SINC[i] + frac * (WINDOWED_SINC[i + 1] - WINDOWED_SINC[i]);
    }

    /** {@code x} stretched or shrunk to exactly {@code outLength} samples (zero outside the input). */
    static float[] resample(float[] x, int outLength) {
        if (x.length == outLength) {
            return x.clone();
        }
        float[] y = new float[outLength];
        if (x.length == 0) {
            return y;
        }
        double ratio = (double) outLength / x.length;
        double scale = Math.min(1, ratio);
        double halfWidth = ZEROS / scale;
        for (int j = 0; j < outLength; j++) {
            double t = j / ratio;
            int lo = Math.max(0, (int) Math.ceil(t - halfWidth));
            int hi = Math.min(x.length - 1, (int) Math.floor(t + halfWidth));
            double s = 0;
            for (int i = lo; i <= hi; i++) {
                s += x[i] * kernel((t - i) * scale);
            }
            y[j] = (float) (s * scale);
        }
        return y;
    }
}
