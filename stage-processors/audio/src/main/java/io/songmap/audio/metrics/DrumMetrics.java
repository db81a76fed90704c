package io.songmap.audio.metrics;

import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Drum transcription scores: onset F-measure per kit piece (mir_eval's onset matching, 50 ms window),
 * and a pooled score over a set of pieces that counts every matched hit once
 * (sum of matches over sum of estimates and of references).
 */
public final class DrumMetrics {

    private DrumMetrics() {}

    /** Per-piece result: the scores with the counts they come from. */
    public record PieceScores(Scores scores, int matched, int estimated, int reference) {}

    public static Map<DrumInstrument, PieceScores> byInstrument(List<DrumHit> reference, List<DrumHit> estimate,
            double window) {
        Map<DrumInstrument, PieceScores> out = new EnumMap<>(DrumInstrument.class);
        for (DrumInstrument instrument : DrumInstrument.values()) {
            double[] ref = times(reference, instrument);
            double[] est = times(estimate, instrument);
            int matched = ref.length == 0 || est.length == 0 ? 0 : OnsetMetrics.matchEvents(ref, est, window).size();
            Scores scores = ref.length == 0 || est.length == 0 ? Scores.ZERO : Scores.of(matched, est.length, ref.length);
            out.put(instrument, new PieceScores(scores, matched, est.length, ref.length));
        }
        return out;
    }

    /** Pooled scores over the given pieces (e.g. kick, snare and hi-hat). */
    public static Scores pooled(Map<DrumInstrument, PieceScores> byInstrument, Collection<DrumInstrument> pieces) {
        int matched = 0;
        int estimated = 0;
        int reference = 0;
        for (DrumInstrument piece : pieces) {
            PieceScores s = byInstrument.get(piece);
            matched += s.matched();
            estimated += s.estimated();
            reference += s.reference();
        }
        return estimated == 0 || reference == 0 ? Scores.ZERO : Scores.of(matched, estimated, reference);
    }

    /** Whether an estimated tempo is within a relative tolerance (e.g. 0.04) of the reference tempo. */
    public static boolean tempoWithin(double referenceBpm, double estimatedBpm, double relativeTolerance) {
        return Math.abs(estimatedBpm - referenceBpm) <= relativeTolerance * referenceBpm;
    }

    private static double[] times(List<DrumHit> hits, DrumInstrument instrument) {
        return hits.stream().filter(h -> h.instrument() == instrument).mapToDouble(DrumHit::time).sorted().toArray();
    }
}
