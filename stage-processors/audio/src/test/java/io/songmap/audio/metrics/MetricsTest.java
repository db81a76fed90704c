package io.songmap.audio.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void matchingFindsTheMaximumWhereGreedyWouldNot() {
        // Estimate 0 could take reference 0 or 1; estimate 1 only reference 0.
        LinkedHashMap<Integer, List<Integer>> graph = new LinkedHashMap<>();
        graph.put(0, List.of(0, 1));
        graph.put(1, List.of(0));

        Map<Integer, Integer> matching = BipartiteMatching.match(graph);

        assertThat(matching).containsEntry(0, 1).containsEntry(1, 0).hasSize(2);
    }

    @Test
    void onsetsWithinFiftyMillisecondsCountOnceEach() {
        double[] reference = {1.0, 2.0, 3.0};
        double[] estimate = {1.02, 1.04, 2.05, 3.2};

        Scores scores = OnsetMetrics.fMeasure(reference, estimate);

        assertThat(scores.precision()).isEqualTo(0.5);
        assertThat(scores.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(scores.fMeasure()).isCloseTo(4.0 / 7, within(1e-12));
        assertThat(OnsetMetrics.fMeasure(reference, new double[0])).isEqualTo(Scores.ZERO);
    }

    @Test
    void notesMatchOnOnsetPitchAndOptionallyOffset() {
        NoteSet reference = NoteSet.of(List.of(new Note(0.0, 1.0, 60, 100), new Note(1.0, 1.5, 64, 100)));
        NoteSet estimate = NoteSet.of(List.of(new Note(0.03, 0.5, 60, 90), new Note(1.0, 1.52, 64, 90),
                new Note(2.0, 2.5, 67, 90)));

        var withOffsets = TranscriptionMetrics.precisionRecallF1Overlap(reference, estimate,
                TranscriptionMetrics.Criteria.defaults());
        var onsetsOnly = TranscriptionMetrics.precisionRecallF1Overlap(reference, estimate,
                TranscriptionMetrics.Criteria.defaults().ignoringOffsets());

        assertThat(withOffsets.recall()).isEqualTo(0.5);
        assertThat(withOffsets.averageOverlapRatio()).isCloseTo(0.5 / 0.52, within(1e-12));
        assertThat(onsetsOnly.recall()).isEqualTo(1.0);
        assertThat(onsetsOnly.precision()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void sdrIsTheEnergyRatioInDecibels() {
        float[] reference = {1, -1, 1, -1};
        float[] estimate = {0.9f, -0.9f, 0.9f, -0.9f};

        assertThat(Sdr.sdr(reference, estimate)).isCloseTo(20.0, within(1e-5));
        assertThat(Sdr.sdr(reference, reference)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void drumHitsAreScoredPerPieceAndPooled() {
        List<DrumHit> reference = List.of(new DrumHit(0.0, DrumInstrument.KICK, 100),
                new DrumHit(0.5, DrumInstrument.SNARE, 100), new DrumHit(1.0, DrumInstrument.KICK, 100),
                new DrumHit(0.25, DrumInstrument.HIHAT, 80));
        List<DrumHit> estimate = List.of(new DrumHit(0.01, DrumInstrument.KICK, 90),
                new DrumHit(0.5, DrumInstrument.HIHAT, 90), new DrumHit(0.98, DrumInstrument.KICK, 90),
                new DrumHit(0.26, DrumInstrument.HIHAT, 70));

        var byPiece = DrumMetrics.byInstrument(reference, estimate, 0.05);

        assertThat(byPiece.get(DrumInstrument.KICK).scores().fMeasure()).isEqualTo(1.0);
        assertThat(byPiece.get(DrumInstrument.SNARE).scores()).isEqualTo(Scores.ZERO);
        assertThat(byPiece.get(DrumInstrument.HIHAT).scores().precision()).isEqualTo(0.5);
        Scores pooled = DrumMetrics.pooled(byPiece,
                List.of(DrumInstrument.KICK, DrumInstrument.SNARE, DrumInstrument.HIHAT));
        assertThat(pooled.precision()).isEqualTo(0.75);
        assertThat(pooled.recall()).isEqualTo(0.75);
        assertThat(DrumMetrics.tempoWithin(120, 124.8, 0.04)).isTrue();
        assertThat(DrumMetrics.tempoWithin(120, 125, 0.04)).isFalse();
    }
}

