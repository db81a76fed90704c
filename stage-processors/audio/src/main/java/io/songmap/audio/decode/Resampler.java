package io.songmap.audio.decode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion by a rational factor L/M with a polyphase windowed-sinc filter
 * (Kaiser window, beta 8.5, 24 zero crossings each side, cut-off at 92% of the lower Nyquist
 * frequency: stop band about 85 dB down). Zero phase: output sample {@code n} is the input
 * band-limited and read at time {@code n / toRate}, so onsets keep their times. Samples beyond
 * either end of the input count as silence.
 *
 * <p>Instances hold only the immutable filter table and are safe to share between threads;
 * {@link #between} caches them per rate pair.
 */
public final class Resampler {
    private static final int ZERO_CROSSINGS = 24;
    private static final double ROLLOFF = 0.92;
    private static final double KAISER_BETA = 8.5;
    /** Filter tables past this many coefficients mean a rate pair with no small common factor. */
    private static final int MAX_TABLE = 1 << 20;
    private static final Map<Long, Resampler> CACHE = new ConcurrentHashMap<>();

    private final int fromRate;
    private final int toRate;
    private final int up;
    private final int down;
    /** Taps on each side of the read position. */
    private final int half;
    /** {@code table[phase * 2 * half + j]} weighs input sample {@code base - half + 1 + j}. */
    private final float[] table;

    private Resampler(int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        }
        this.fromRate = fromRate;
        this.toRate = toRate;
        int g = gcd(fromRate, toRate);
        this.up = toRate / g;
        this.down = fromRate / g;
        // Cut-off in cycles per input sample.
        double cutoff = 0.5 * ROLLOFF * Math.min(1.0, (double) up / down);
        double halfWidth = ZERO_CROSSINGS / (2 * cutoff);
        this.half = (int) Math.ceil(halfWidth);
        long size = (long) up * 2 * half;
        if (up != down && size > MAX_TABLE) {
            throw new IllegalArgumentException("unsupported rate pair " + fromRate + " -> " + toRate
                    + ": the ratio " + up + "/" + down + " needs too large a filter table");
        }
        this.table = up == down ? new float[0] : buildTable(cutoff, halfWidth);
    }

    /** The resampler from {@code fromRate} to {@code toRate}, built once per pair. */
    public static Resampler between(int fromRate, int toRate) {
        return CACHE.computeIfAbsent(((long) fromRate << 32) | toRate, k -> new Resampler(fromRate, toRate));
    }

    /** Resamples {@code input} in one call. */
    public static float[] resample(float[] input, int fromRate, int toRate) {
        return between(fromRate, toRate).process(input);
    }

    public int fromRate() {
        return fromRate;
    }

    public int toRate() {
        return toRate;
    }

    /** Number of output samples for {@code inputLength} input samples: {@code ceil(inputLength * to / from)}. */
    public int outputLength(int inputLength) {
        return (int) (((long) inputLength * up + down - 1) / down);
    }

    /** The input at the target rate; the input itself when the rates are equal. */
    public float[] process(float[] input) {
        if (up == down) {
            return input;
        }
        int n = input.length;
        int outLen = outputLength(n);
        float[] out = new float[outLen];
        int taps = 2 * half;
        long pos = 0; // output index times the down factor, in units of 1/up input samples
        for (int o = 0; o < outLen; o++, pos += down) {
            int base = (int) (pos / up);
            int phase = (int) (pos - (long) base * up);
            int first = base - half + 1;
            int t = phase * taps;
            float acc;
            if (first >= 0 && first + taps <= n) {
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                int j = 0;
                for (; j + 3 < taps; j += 4) {
                    a0 += input[first + j] * table[t + j];
                    a1 += input[first + j + 1] * table[t + j + 1];
                    a2 += input[first + j + 2] * table[t + j + 2];
                    a3 += input[first + j + 3] * table[t + j + 3];
                }
                for (; j < taps; j++) {
                    a0 += input[first + j] * table[t + j];
                }
                acc = (a0 + a1) + (a2 + a3);
            } else {
                acc = 0;
                int lo = Math.max(0, -first);
                int hi = Math.min(taps, n - first);
                for (int j = lo; j < hi; j++) {
                    acc += input[first + j] * table[t + j];
                }
            }
            out[o] = acc;
        }
        return out;
    }

    private float[] buildTable(double cutoff, double halfWidth) {
        int taps = 2 * half;
        float[] t = new float[up * taps];
        double i0Beta = besselI0(KAISER_BETA);
        for (int phase = 0; phase < up; phase++) {
            double frac = (double) phase / up;
            double sum = 0;
            double[] row = new double[taps];
            for (int j = 0; j < taps; j++) {
                // Distance from the read position to input sample (base - half + 1 + j).
                double x = frac + half - 1 - j;
                double r = x / halfWidth;
                double w = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
                double arg = 2 * cutoff * x;
                double sinc = arg == 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
                row[j] = 2 * cutoff * sinc * w;
                sum += row[j];
            }
            // Each phase sums to exactly one, so a constant input stays constant at every output sample.
            for (int j = 0; j < taps; j++) {
                t[phase * taps + j] = (float) (row[j] / sum);
            }
        }
        return t;
    }

    private static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 64; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    @Override
    public String toString() {
        return "Resampler[" + fromRate + " -> " + toRate + " Hz]";
    }
}
