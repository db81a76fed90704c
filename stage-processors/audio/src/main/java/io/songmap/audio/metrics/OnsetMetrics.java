package io.songmap.audio.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Onset detection scores as {@code mir_eval.onset.f_measure}: an estimated onset is correct when a
 * reference onset lies within the window around it, each reference onset counts once, and the
 * number of correct onsets is that of a maximum bipartite matching.
 */
public final class OnsetMetrics {

    public static final double DEFAULT_WINDOW_SECONDS = 0.05;

    private OnsetMetrics() {}

    public static Scores fMeasure(double[] reference, double[] estimated) {
        return fMeasure(reference, estimated, DEFAULT_WINDOW_SECONDS);
    }

    public static Scores fMeasure(double[] reference, double[] estimated, double window) {
        if (reference.length == 0 || estimated.length == 0) {
            return Scores.ZERO;
        }
        int matched = matchEvents(reference, estimated, window).size();
        return Scores.of(matched, estimated.length, reference.length);
    }

    /**
     * {@code util.match_events}: pairs (reference index, estimate index) of a maximum matching where
     * {@code est - window <= ref <= est + window}.
     */
    public static List<int[]> matchEvents(double[] reference, double[] estimated, double window) {
        Integer[] order = IntStream.range(0, reference.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> reference[i]));
        double[] sorted = new double[reference.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = reference[order[i]];
        }
        LinkedHashMap<Integer, List<Integer>> graph = new LinkedHashMap<>();
        for (int j = 0; j < estimated.length; j++) {
            int left = lowerBound(sorted, estimated[j] - window);
            int right = upperBound(sorted, estimated[j] + window);
            for (int k = left; k < right; k++) {
                graph.computeIfAbsent(j, key -> new ArrayList<>()).add(order[k]);
            }
        }
        List<int[]> pairs = new ArrayList<>();
        BipartiteMatching.match(graph).entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> pairs.add(new int[] {e.getKey(), e.getValue()}));
        return pairs;
    }

    /** First index whose value is >= x (numpy searchsorted, side left). */
    private static int lowerBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose value is > x (numpy searchsorted, side right). */
    private static int upperBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
