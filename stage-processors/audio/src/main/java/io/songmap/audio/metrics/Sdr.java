package io.songmap.audio.metrics;

/**
 * Signal-to-distortion ratio in dB as a plain energy ratio: reference energy over the energy of
 * (reference − estimate), over the samples both signals have. Unlike BSS Eval's SDR it allows no
 * gain or filter on the estimate, so it is a stricter figure for separated stems.
 */
public final class Sdr {

    private Sdr() {}

    /** SDR of a mono estimate; +∞ for a perfect estimate, −∞ when the reference is silent and the estimate not. */
    public static double sdr(float[] reference, float[] estimate) {
        return sdr(new float[][] {reference}, new float[][] {estimate});
    }

    /** SDR over all channels together ({@code [channel][sample]}). */
    public static double sdr(float[][] reference, float[][] estimate) {
        if (reference.length != estimate.length) {
            throw new IllegalArgumentException("reference has " + reference.length + " channels, estimate "
                    + estimate.length);
        }
        double signal = 0;
        double error = 0;
        for (int c = 0; c < reference.length; c++) {
            int n = Math.min(reference[c].length, estimate[c].length);
            for (int i = 0; i < n; i++) {
                double r = reference[c][i];
                double d = r - estimate[c][i];
                signal += r * r;
                error += d * d;
            }
        }
        if (error == 0) {
            return signal == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / error);
    }
}
