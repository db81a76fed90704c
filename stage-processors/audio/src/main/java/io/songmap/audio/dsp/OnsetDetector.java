package io.songmap.audio.dsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds onsets in a separated drum stem: peaks of the {@link OnsetEnvelope} (spectral flux) that stand
 * out from their neighbourhood, picked with an adaptive threshold (after Böck, Krebs and Schedl 2012):
 * a frame is an onset when it is the maximum of its neighbourhood, exceeds the local mean by
 * {@code delta} (envelope normalised to its maximum), and follows the previous onset by at least
 * {@code minGapSeconds}. Pure and thread-safe.
 */
public final class OnsetDetector {

    /**
     * Peak-picking settings, all times in seconds.
     *
     * @param delta         how far above the local mean a peak must rise, as a fraction of the envelope's maximum
     * @param preMax        look-back of the local-maximum test
     * @param postMax       look-ahead of the local-maximum test
     * @param preAvg        look-back of the local mean
     * @param postAvg       look-ahead of the local mean
     * @param minGapSeconds shortest interval between two onsets
     */
    public record Settings(double delta, double preMax, double postMax, double preAvg, double postAvg,
            double minGapSeconds) {
        /** Tuned on synthesized kits: a 16th-note hi-hat at 180 BPM (83 ms) stays separate. */
        public static final Settings DEFAULT = new Settings(0.05, 0.03, 0.03, 0.10, 0.07, 0.03);

        public Settings {
            if (!(delta >= 0) || !(preMax >= 0) || !(postMax >= 0) || !(preAvg >= 0) || !(postAvg >= 0)
                    || !(minGapSeconds >= 0)) {
                throw new IllegalArgumentException("onset settings must not be negative");
            }
        }
    }

    private final Settings settings;
    private final OnsetEnvelope.Settings envelopeSettings;

    public OnsetDetector() {
        this(Settings.DEFAULT, OnsetEnvelope.Settings.DEFAULT);
    }

    public OnsetDetector(Settings settings, OnsetEnvelope.Settings envelopeSettings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.envelopeSettings = Objects.requireNonNull(envelopeSettings, "envelopeSettings");
    }

    /** Onsets of a mono signal, in time order. */
    public List<Onset> detect(float[] mono, int sampleRate) {
        return detect(OnsetEnvelope.of(mono, sampleRate, envelopeSettings));
    }

    /** Onsets from an envelope already computed, in time order. */
    public List<Onset> detect(OnsetEnvelope envelope) {
        float[] e = envelope.values();
        float max = 0;
        for (float v : e) {
            max = Math.max(max, v);
        }
        List<Onset> onsets = new ArrayList<>();
        if (max <= 0) {
            return onsets;
        }
        double fps = envelope.frameRate();
        int preMax = (int) Math.round(settings.preMax() * fps);
        int postMax = (int) Math.round(settings.postMax() * fps);
        int preAvg = (int) Math.round(settings.preAvg() * fps);
        int postAvg = (int) Math.round(settings.postAvg() * fps);
        int minGap = (int) Math.round(settings.minGapSeconds() * fps);
        float threshold = (float) settings.delta() * max;
        // Running sums make the local mean O(1) per frame.
        double[] prefix = new double[e.length + 1];
        for (int i = 0; i < e.length; i++) {
            prefix[i + 1] = prefix[i] + e[i];
        }
        int last = Integer.MIN_VALUE / 2;
        for (int i = 0; i < e.length; i++) {
            float v = e[i];
            if (v <= threshold || i - last < minGap) {
                continue;
            }
            if (!isLocalMax(e, i, preMax, postMax)) {
                continue;
            }
            int lo = Math.max(0, i - preAvg);
            int hi = Math.min(e.length, i + postAvg + 1);
            double mean = (prefix[hi] - prefix[lo]) / (hi - lo);
            if (v < mean + threshold) {
                continue;
            }
            onsets.add(new Onset(envelope.time(i + peakOffset(e, i)), v / max));
            last = i;
        }
        return onsets;
    }

    private static boolean isLocalMax(float[] e, int i, int before, int after) {
        float v = e[i];
        int lo = Math.max(0, i - before);
        int hi = Math.min(e.length - 1, i + after);
        for (int j = lo; j <= hi; j++) {
            // Ties go to the earliest frame of a plateau.
            if (e[j] > v || (e[j] == v && j < i)) {
                return false;
            }
        }
        return true;
    }

    /** Sub-frame position of the peak at {@code i} from a parabola through it and its neighbours. */
    private static double peakOffset(float[] e, int i) {
        if (i == 0 || i == e.length - 1) {
            return 0;
        }
        double a = e[i - 1];
        double b = e[i];
        double c = e[i + 1];
        double denominator = a - 2 * b + c;
        if (denominator >= 0) {
            return 0;
        }
        return Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / denominator));
    }
}
