package io.songmap.audio.dsp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Tempo and beat tracking after Ellis, "Beat Tracking by Dynamic Programming" (JNMR 2007), the method of
 * {@code librosa.beat.beat_track}:
 * <ol>
 *   <li><b>Tempo</b>: the autocorrelation of the squared, lightly smoothed {@link OnsetEnvelope} over
 *       lags of {@code minBpm..maxBpm}, weighted by a log-normal prior around {@code priorBpm} (120 BPM,
 *       half an octave). A drum pattern correlates better at two beats than at one (kick and snare
 *       alternate) and nearly as well at an eighth note, so the octave is mostly the prior's call, checked
 *       against the low band (below). When the
 *       winner has a faster relative (half, or two thirds for a steady eighth-note grid) that correlates
 *       nearly as well (80%) and is within {@code maxBpm}, the faster tempo is taken: a click track at
 *       174 BPM is not reported at 87. The faster pulse must also be there below {@value #LOW_BAND_HZ} Hz
 *       (the same correlation on an envelope of that band alone, where the kick and snare are): a slow
 *       groove with sixteenth-note hi-hats pulses at twice its tempo in the full band, but its kick and
 *       snare do not. Likewise the prior's choice gives way to half its tempo when the full band pulses
 *       there at least as strongly and the low band pulses at the prior's choice less than half as
 *       strongly as at half of it.</li>
 *   <li><b>Beats</b>: the sequence that maximises onset strength at the beats minus
 *       {@code tightness * log(interval / period)^2} between them, found by dynamic programming and
 *       back-tracked from the last strong beat; weak beats at either end are trimmed.</li>
 * </ol>
 * Pure and thread-safe.
 */
public final class BeatTracker {

    /**
     * @param minBpm       slowest tempo considered
     * @param maxBpm       fastest tempo considered
     * @param priorBpm     centre of the tempo prior
     * @param priorOctaves standard deviation of the prior, in octaves
     * @param tightness    how strongly beats keep to the period (Ellis's alpha; librosa uses 100)
     */
    public record Settings(double minBpm, double maxBpm, double priorBpm, double priorOctaves, double tightness) {
        public static final Settings DEFAULT = new Settings(40, 200, 120, 0.5, 100);

        public Settings {
            if (!(minBpm > 0) || !(maxBpm > minBpm) || !(priorBpm > 0) || !(priorOctaves > 0) || !(tightness >= 0)) {
                throw new IllegalArgumentException("invalid beat tracker settings");
            }
        }
    }

    /**
     * A faster candidate whose correlation reaches this share of the winner's replaces it. Measured on
     * drum patterns rendered with FluidSynth's GM kit at 80-160 BPM: the eighth-note level reaches at most
     * 0.77 of the beat level (open hi-hats on the off-beats); on click tracks the beat level correlates as
     * well as the half-time level (1.0), and a synthesized 174 BPM rock beat reaches 0.85.
     */
    private static final double FASTER_SHARE = 0.8;
    /** Upper edge of the band whose envelope must also carry a faster tempo (kick and snare bodies). */
    public static final double LOW_BAND_HZ = 500;
    /**
     * The prior's choice gives way to half its tempo when the low band pulses at it less than this share
     * of its pulse at half the tempo (and the full band pulses at half the tempo at least as strongly).
     * On 35 synthesized songs (the quality command's seeds 1-5 and 11-40) the share was 0.73 or more at
     * the right tempo and 0.27 and 0.32 on the two songs reported at twice their tempo.
     */
    private static final double SLOWER_LOW_SHARE = 0.5;
    private static final double[] FASTER_FACTORS = {2, 1.5};

    private final Settings settings;

    public BeatTracker() {
        this(Settings.DEFAULT);
    }

    public BeatTracker(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Tempo and beats of a mono signal (a mix or a drum stem). */
    public BeatTrack track(float[] mono, int sampleRate) {
        return track(OnsetEnvelope.of(mono, sampleRate), mono);
    }

    /**
     * Tempo and beats from an envelope already computed ({@link OnsetEnvelope#of(float[], int)}) of
     * {@code mono}; the signal is read again only when a faster tempo has to be checked in the low band.
     */
    public BeatTrack track(OnsetEnvelope envelope, float[] mono) {
        double fps = envelope.frameRate();
        double[] e = values(envelope);
        int maxLag = maxLag(e.length, fps);
        double[][] lowAc = {null};
        Supplier<double[]> lowBand = () -> {
            if (lowAc[0] == null) {
                lowAc[0] = autocorrelation(smooth(values(lowBandEnvelope(mono, envelope.sampleRate())),
                        (int) Math.round(0.025 * fps)), maxLag);
            }
            return lowAc[0];
        };
        double period = estimatePeriod(smooth(e, (int) Math.round(0.025 * fps)), fps, lowBand);
        if (Double.isNaN(period)) {
            return BeatTrack.NONE;
        }
        double[] localScore = localScore(e, period);
        if (localScore == null) {
            return BeatTrack.NONE;
        }
        int[] beatFrames = trim(localScore, dynamicProgram(localScore, period));
        if (beatFrames.length == 0) {
            return BeatTrack.NONE;
        }
        double[] beats = new double[beatFrames.length];
        for (int k = 0; k < beats.length; k++) {
            int b = beatFrames[k];
            beats[k] = envelope.time(b + parabolicOffset(localScore, b));
        }
        return new BeatTrack(bpm(beats, 60 * fps / period), beats);
    }

    private static double[] values(OnsetEnvelope envelope) {
        double[] e = new double[envelope.frames()];
        for (int i = 0; i < e.length; i++) {
            e[i] = envelope.values()[i];
        }
        return e;
    }

    /** The onset envelope of the band below {@link #LOW_BAND_HZ}, frame for frame with the full one. */
    private static OnsetEnvelope lowBandEnvelope(float[] mono, int sampleRate) {
        OnsetEnvelope.Settings full = OnsetEnvelope.Settings.DEFAULT;
        return OnsetEnvelope.of(mono, sampleRate, new OnsetEnvelope.Settings(full.frameSeconds(), full.hopSeconds(),
                full.melBands(), full.minHz(), LOW_BAND_HZ, full.compression()));
    }

    /** The longest lag the tempo search looks at: the slowest tempo's period, at most half the envelope. */
    private int maxLag(int frames, double fps) {
        return Math.min(frames / 2, (int) Math.ceil(60 * fps / settings.minBpm()) + 1);
    }

    /**
     * Autocorrelation of the squared, mean-removed envelope at lags 1 to {@code maxLag + 1}. Squared,
     * so that weak onsets between strong ones (an eighth-note hi-hat between kicks and snares)
     * correlate far less with them than the strong ones do with each other.
     */
    private static double[] autocorrelation(double[] e, int maxLag) {
        int length = e.length;
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = e[i] * e[i];
        }
        double mean = Arrays.stream(x).average().orElse(0);
        for (int i = 0; i < length; i++) {
            x[i] -= mean;
        }
        double[] ac = new double[Math.max(0, maxLag) + 2];
        for (int lag = 1; lag < ac.length && lag < length; lag++) {
            double sum = 0;
            for (int i = 0, j = lag; j < length; i++, j++) {
                sum += x[i] * x[j];
            }
            ac[lag] = sum / (length - lag);
        }
        return ac;
    }

    /** The beat period in frames, or NaN when the envelope has no periodicity in range. */
    private double estimatePeriod(double[] e, double fps, Supplier<double[]> lowBand) {
        int n = e.length;
        int minLag = Math.max(1, (int) Math.floor(60 * fps / settings.maxBpm()) - 1);
        int maxLag = maxLag(n, fps);
        if (maxLag - minLag < 3) {
            return Double.NaN;
        }
        double[] ac = autocorrelation(e, maxLag);
        double bestScore = 0;
        double bestLag = Double.NaN;
        double bestAc = 0;
        for (int lag = minLag + 1; lag < maxLag; lag++) {
            if (!(ac[lag] > 0 && ac[lag] >= ac[lag - 1] && ac[lag] > ac[lag + 1])) {
                continue;
            }
            double refined = lag + parabolicOffset(ac, lag);
            double bpm = 60 * fps / refined;
            if (bpm < settings.minBpm() || bpm > settings.maxBpm()) {
                continue;
            }
            double octaves = Math.log(bpm / settings.priorBpm()) / Math.log(2) / settings.priorOctaves();
            double score = ac[lag] * Math.exp(-0.5 * octaves * octaves);
            if (score > bestScore) {
                bestScore = score;
                bestLag = refined;
                bestAc = ac[lag];
            }
        }
        if (Double.isNaN(bestLag)) {
            return Double.NaN;
        }
        // The prior may favour twice a slow groove's tempo; half of it wins when the full band pulses at
        // least as strongly there and the kick and snare hardly pulse at the faster tempo at all.
        double slower = 2 * bestLag;
        if (60 * fps / slower >= settings.minBpm()) {
            int peak = peakNear(ac, slower);
            if (peak >= 0 && ac[peak] >= bestAc && lowBandSlower(lowBand, bestLag, slower)) {
                bestLag = peak + parabolicOffset(ac, peak);
                bestAc = ac[peak];
            }
        }
        // Prefer a faster tempo related by 2 (an octave) or 3/2 (a steady eighth-note grid, which also
        // correlates at three eighths) when it correlates about as well.
        boolean moved = true;
        while (moved) {
            moved = false;
            for (double factor : FASTER_FACTORS) {
                double target = bestLag / factor;
                if (60 * fps / target > settings.maxBpm()) {
                    continue;
                }
                int peak = peakNear(ac, target);
                if (peak >= 0 && ac[peak] >= FASTER_SHARE * bestAc && lowBandAgrees(lowBand, bestLag, target)) {
                    bestLag = peak + parabolicOffset(ac, peak);
                    bestAc = ac[peak];
                    moved = true;
                    break;
                }
            }
        }
        return bestLag;
    }

    /** Whether the low band pulses at {@code lag} less than {@value #SLOWER_LOW_SHARE} as strongly as at {@code slowerLag}. */
    private static boolean lowBandSlower(Supplier<double[]> lowBand, double lag, double slowerLag) {
        double[] ac = lowBand.get();
        int slower = peakNear(ac, slowerLag);
        if (slower < 0 || !(ac[slower] > 0)) {
            return false;
        }
        int at = peakNear(ac, lag);
        return at < 0 || ac[at] < SLOWER_LOW_SHARE * ac[slower];
    }

    /**
     * Whether the low band also pulses at {@code fasterLag} about as strongly as at {@code lag}. A band
     * without a pulse at {@code lag} (no kick or snare, say) has nothing to say and does not object.
     */
    private static boolean lowBandAgrees(Supplier<double[]> lowBand, double lag, double fasterLag) {
        double[] ac = lowBand.get();
        int at = peakNear(ac, lag);
        if (at < 0 || !(ac[at] > 0)) {
            return true;
        }
        int faster = peakNear(ac, fasterLag);
        return faster >= 0 && ac[faster] >= FASTER_SHARE * ac[at];
    }

    /** The highest local maximum of {@code ac} within 5% of {@code lag}, or -1. */
    private static int peakNear(double[] ac, double lag) {
        int lo = Math.max(2, (int) Math.floor(lag * 0.95));
        int hi = Math.min(ac.length - 2, (int) Math.ceil(lag * 1.05));
        int peak = -1;
        for (int l = lo; l <= hi; l++) {
            if (ac[l] >= ac[l - 1] && ac[l] > ac[l + 1] && (peak < 0 || ac[l] > ac[peak])) {
                peak = l;
            }
        }
        return peak;
    }

    /** The envelope over its standard deviation, smoothed by a Gaussian of a 32nd of the period. */
    private static double[] localScore(double[] e, double period) {
        int n = e.length;
        double mean = Arrays.stream(e).average().orElse(0);
        double variance = 0;
        for (double v : e) {
            variance += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(variance / Math.max(1, n - 1));
        if (!(std > 0)) {
            return null;
        }
        int half = (int) Math.round(period);
        double[] window = new double[2 * half + 1];
        for (int k = -half; k <= half; k++) {
            double z = k * 32.0 / period;
            window[k + half] = Math.exp(-0.5 * z * z);
        }
        double[] out = new double[n];
        // The Gaussian is negligible beyond five standard deviations.
        int reach = Math.min(half, (int) Math.ceil(period * 5 / 32));
        for (int i = 0; i < n; i++) {
            double v = e[i] / std;
            if (v == 0) {
                continue;
            }
            for (int k = -reach; k <= reach; k++) {
                int j = i + k;
                if (j >= 0 && j < n) {
                    out[j] += v * window[k + half];
                }
            }
        }
        return out;
    }

    private int[] dynamicProgram(double[] localScore, double period) {
        int n = localScore.length;
        int from = (int) Math.round(2 * period);
        int to = Math.max(1, (int) Math.round(period / 2));
        double[] penalty = new double[from + 1];
        for (int d = to; d <= from; d++) {
            double l = Math.log(d / period);
            penalty[d] = -settings.tightness() * l * l;
        }
        double max = Arrays.stream(localScore).max().orElse(0);
        double threshold = 0.01 * max;
        double[] cumulative = new double[n];
        int[] backlink = new int[n];
        boolean firstBeat = true;
        for (int i = 0; i < n; i++) {
            double best = Double.NEGATIVE_INFINITY;
            int bestPrevious = -1;
            for (int d = to; d <= from && i - d >= 0; d++) {
                double s = cumulative[i - d] + penalty[d];
                if (s > best) {
                    best = s;
                    bestPrevious = i - d;
                }
            }
            if (bestPrevious < 0 || (firstBeat && localScore[i] < threshold)) {
                cumulative[i] = localScore[i];
                backlink[i] = -1;
            } else {
                cumulative[i] = localScore[i] + best;
                backlink[i] = bestPrevious;
                firstBeat = false;
            }
        }
        int last = lastBeat(cumulative);
        if (last < 0) {
            return new int[0];
        }
        List<Integer> beats = new ArrayList<>();
        for (int b = last; b >= 0; b = backlink[b]) {
            beats.add(b);
        }
        int[] out = new int[beats.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = beats.get(out.length - 1 - k);
        }
        return out;
    }

    /** The last local maximum of the cumulative score above half the median of all local maxima. */
    private static int lastBeat(double[] cumulative) {
        int n = cumulative.length;
        List<Double> peaks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (isLocalMax(cumulative, i)) {
                peaks.add(cumulative[i]);
            }
        }
        if (peaks.isEmpty()) {
            return -1;
        }
        double[] sorted = peaks.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
        for (int i = n - 1; i >= 0; i--) {
            if (isLocalMax(cumulative, i) && cumulative[i] > 0.5 * median) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isLocalMax(double[] x, int i) {
        boolean left = i == 0 || x[i] > x[i - 1];
        boolean right = i == x.length - 1 || x[i] >= x[i + 1];
        return left && right;
    }

    /** Drops leading and trailing beats whose (beat-wise smoothed) onset strength is weak, as librosa does. */
    private static int[] trim(double[] localScore, int[] beats) {
        int n = beats.length;
        if (n == 0) {
            return beats;
        }
        double[] hann = {0.0, 0.5, 1.0, 0.5, 0.0}; // scipy's symmetric 5-point Hann
        double[] smooth = new double[n];
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int j = -2; j <= 2; j++) {
                int m = k + j;
                if (m >= 0 && m < n) {
                    s += localScore[beats[m]] * hann[j + 2];
                }
            }
            smooth[k] = s;
        }
        double rms = Math.sqrt(Arrays.stream(smooth).map(v -> v * v).average().orElse(0));
        double threshold = 0.5 * rms;
        int start = 0;
        while (start < n && smooth[start] <= threshold) {
            start++;
        }
        int end = n - 1;
        while (end >= start && smooth[end] <= threshold) {
            end--;
        }
        return Arrays.copyOfRange(beats, start, end + 1);
    }

    /** Least-squares tempo through the beats; {@code fallback} when there are fewer than four. */
    private static double bpm(double[] beats, double fallback) {
        int n = beats.length;
        if (n < 4) {
            return fallback;
        }
        double meanK = (n - 1) / 2.0;
        double meanT = Arrays.stream(beats).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int k = 0; k < n; k++) {
            num += (k - meanK) * (beats[k] - meanT);
            den += (k - meanK) * (k - meanK);
        }
        double slope = num / den;
        return slope > 0 ? 60 / slope : fallback;
    }

    private static double[] smooth(double[] x, int width) {
        if (width < 2) {
            return x;
        }
        double[] w = new double[width];
        double sum = 0;
        for (int i = 0; i < width; i++) {
            w[i] = Math.sin(Math.PI * (i + 0.5) / width);
            sum += w[i];
        }
        double[] out = new double[x.length];
        int half = width / 2;
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (int j = 0; j < width; j++) {
                int m = i + j - half;
                if (m >= 0 && m < x.length) {
                    s += x[m] * w[j];
                }
            }
            out[i] = s / sum;
        }
        return out;
    }

    private static double parabolicOffset(double[] y, int i) {
        if (i <= 0 || i >= y.length - 1) {
            return 0;
        }
        double a = y[i - 1];
        double b = y[i];
        double c = y[i + 1];
        double denominator = a - 2 * b + c;
        if (denominator >= 0) {
            return 0;
        }
        return Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / denominator));
    }
}
