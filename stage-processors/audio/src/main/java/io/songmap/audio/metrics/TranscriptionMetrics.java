package io.songmap.audio.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Note transcription scores as {@code mir_eval.transcription}: an estimated note matches a
 * reference note when its onset is within the onset tolerance, its pitch within the pitch tolerance
 * (cents) and, unless offsets are ignored, its offset within the larger of a ratio of the reference
 * duration and a minimum; each note is matched at most once, by maximum bipartite matching.
 * Time distances are rounded to 4 decimals first, as mir_eval does, so a distance of exactly 50 ms
 * matches.
 */
public final class TranscriptionMetrics {

    private static final double ROUNDING = 1e4;

    /** Matching criteria; a null offset ratio ignores offsets. */
    public record Criteria(double onsetTolerance, double pitchToleranceCents, Double offsetRatio,
            double offsetMinTolerance) {

        /** Onset 50 ms, pitch 50 cents, offset within 20% of the reference duration or 50 ms. */
        public static Criteria defaults() {
            return new Criteria(0.05, 50.0, 0.2, 0.05);
        }

        public Criteria ignoringOffsets() {
            return new Criteria(onsetTolerance, pitchToleranceCents, null, offsetMinTolerance);
        }
    }

    /** Precision, recall and F-measure with the average overlap ratio of the matched pairs. */
    public record NoteScores(double precision, double recall, double fMeasure, double averageOverlapRatio) {
        static final NoteScores ZERO = new NoteScores(0, 0, 0, 0);
    }

    private TranscriptionMetrics() {}

    /** {@code precision_recall_f1_overlap}. */
    public static NoteScores precisionRecallF1Overlap(NoteSet reference, NoteSet estimate, Criteria criteria) {
        if (reference.size() == 0 || estimate.size() == 0) {
            return NoteScores.ZERO;
        }
        List<int[]> matching = matchNotes(reference, estimate, criteria);
        Scores scores = Scores.of(matching.size(), estimate.size(), reference.size());
        return new NoteScores(scores.precision(), scores.recall(), scores.fMeasure(),
                averageOverlapRatio(reference, estimate, matching));
    }

    /** {@code onset_precision_recall_f1}: onsets only, any pitch. */
    public static Scores onsetPrecisionRecallF1(NoteSet reference, NoteSet estimate, double onsetTolerance) {
        if (reference.size() == 0 || estimate.size() == 0) {
            return Scores.ZERO;
        }
        List<int[]> matching = match(reference.size(), estimate.size(),
                (r, e) -> rounded(Math.abs(reference.onsets()[r] - estimate.onsets()[e])) <= onsetTolerance);
        return Scores.of(matching.size(), estimate.size(), reference.size());
    }

    /** {@code offset_precision_recall_f1}: offsets only, any pitch. */
    public static Scores offsetPrecisionRecallF1(NoteSet reference, NoteSet estimate, double offsetRatio,
            double offsetMinTolerance) {
        if (reference.size() == 0 || estimate.size() == 0) {
            return Scores.ZERO;
        }
        List<int[]> matching = match(reference.size(), estimate.size(),
                (r, e) -> offsetHit(reference, estimate, r, e, offsetRatio, offsetMinTolerance));
        return Scores.of(matching.size(), estimate.size(), reference.size());
    }

    /** Every score of {@code mir_eval.transcription.evaluate}, under mir_eval's names. */
    public static Map<String, Double> evaluate(NoteSet reference, NoteSet estimate) {
        Criteria criteria = Criteria.defaults();
        Map<String, Double> scores = new LinkedHashMap<>();
        NoteScores withOffsets = precisionRecallF1Overlap(reference, estimate, criteria);
        scores.put("Precision", withOffsets.precision());
        scores.put("Recall", withOffsets.recall());
        scores.put("F-measure", withOffsets.fMeasure());
        scores.put("Average_Overlap_Ratio", withOffsets.averageOverlapRatio());
        NoteScores noOffsets = precisionRecallF1Overlap(reference, estimate, criteria.ignoringOffsets());
        scores.put("Precision_no_offset", noOffsets.precision());
        scores.put("Recall_no_offset", noOffsets.recall());
        scores.put("F-measure_no_offset", noOffsets.fMeasure());
        scores.put("Average_Overlap_Ratio_no_offset", noOffsets.averageOverlapRatio());
        Scores onsets = onsetPrecisionRecallF1(reference, estimate, criteria.onsetTolerance());
        scores.put("Onset_Precision", onsets.precision());
        scores.put("Onset_Recall", onsets.recall());
        scores.put("Onset_F-measure", onsets.fMeasure());
        Scores offsets = offsetPrecisionRecallF1(reference, estimate, criteria.offsetRatio(),
                criteria.offsetMinTolerance());
        scores.put("Offset_Precision", offsets.precision());
        scores.put("Offset_Recall", offsets.recall());
        scores.put("Offset_F-measure", offsets.fMeasure());
        return scores;
    }

    /** {@code match_notes}: matched (reference, estimate) index pairs, ordered by reference index. */
    public static List<int[]> matchNotes(NoteSet reference, NoteSet estimate, Criteria criteria) {
        return match(reference.size(), estimate.size(), (r, e) -> {
            boolean onset = rounded(Math.abs(reference.onsets()[r] - estimate.onsets()[e]))
                    <= criteria.onsetTolerance();
            double cents = Math.abs(1200 * (log2(reference.pitchesHz()[r]) - log2(estimate.pitchesHz()[e])));
            boolean pitch = cents <= criteria.pitchToleranceCents();
            boolean offset = criteria.offsetRatio() == null
                    || offsetHit(reference, estimate, r, e, criteria.offsetRatio(), criteria.offsetMinTolerance());
            return onset && pitch && offset;
        });
    }

    /** {@code average_overlap_ratio}: mean over matched pairs of overlap / span. */
    public static double averageOverlapRatio(NoteSet reference, NoteSet estimate, List<int[]> matching) {
        if (matching.isEmpty()) {
            return 0;
        }
        double sum = 0;
        for (int[] pair : matching) {
            double refOn = reference.onsets()[pair[0]];
            double refOff = reference.offsets()[pair[0]];
            double estOn = estimate.onsets()[pair[1]];
            double estOff = estimate.offsets()[pair[1]];
            sum += (Math.min(refOff, estOff) - Math.max(refOn, estOn))
                    / (Math.max(refOff, estOff) - Math.min(refOn, estOn));
        }
        return sum / matching.size();
    }

    private interface Hit {
        boolean test(int reference, int estimate);
    }

    private static boolean offsetHit(NoteSet reference, NoteSet estimate, int r, int e, double ratio,
            double minTolerance) {
        double distance = rounded(Math.abs(reference.offsets()[r] - estimate.offsets()[e]));
        double duration = Math.abs(reference.offsets()[r] - reference.onsets()[r]);
        return distance <= Math.max(ratio * duration, minTolerance);
    }

    /** The hit graph in mir_eval's order (estimate → references, from a row-major scan), then its matching. */
    private static List<int[]> match(int references, int estimates, Hit hit) {
        LinkedHashMap<Integer, List<Integer>> graph = new LinkedHashMap<>();
        for (int r = 0; r < references; r++) {
            for (int e = 0; e < estimates; e++) {
                if (hit.test(r, e)) {
                    graph.computeIfAbsent(e, k -> new ArrayList<>()).add(r);
                }
            }
        }
        List<int[]> pairs = new ArrayList<>();
        BipartiteMatching.match(graph).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> pairs.add(new int[] {entry.getKey(), entry.getValue()}));
        return pairs;
    }

    /** numpy's {@code around(x, 4)}: scale, round half to even, unscale. */
    private static double rounded(double x) {
        return Math.rint(x * ROUNDING) / ROUNDING;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
