package io.songmap.loadtests.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.loadtests.quality.Evaluation.DrumDiagnosis;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  private static DrumHit hit(double t, DrumInstrument piece) {
    return new DrumHit(t, piece, 100);
  }

  @Test
  void aDrumHitIsFoundMaskedConfusedOrMissed() {
    List<DrumHit> reference = List.of(
        hit(1.00, DrumInstrument.KICK), hit(1.00, DrumInstrument.HIHAT), // hat under a kick
        hit(1.50, DrumInstrument.HIHAT), // alone, reported as a tom
        hit(2.00, DrumInstrument.SNARE), // nothing reported
        hit(2.50, DrumInstrument.SNARE));
    List<DrumHit> estimate = List.of(
        hit(1.01, DrumInstrument.KICK), hit(1.49, DrumInstrument.TOM), hit(2.52, DrumInstrument.SNARE),
        hit(3.00, DrumInstrument.CRASH));
    DrumDiagnosis d = Evaluation.diagnose(reference, estimate);
    assertThat(d.outcome().get(DrumInstrument.KICK)).containsExactly(1, 0, 0, 0);
    assertThat(d.outcome().get(DrumInstrument.HIHAT)[DrumDiagnosis.MASKED]).isEqualTo(1);
    assertThat(d.outcome().get(DrumInstrument.HIHAT)[DrumDiagnosis.CONFUSED]).isEqualTo(1);
    assertThat(d.takenFor().get(DrumInstrument.HIHAT)).containsEntry(DrumInstrument.TOM, 1);
    assertThat(d.outcome().get(DrumInstrument.SNARE)[DrumDiagnosis.FOUND]).isEqualTo(1);
    assertThat(d.outcome().get(DrumInstrument.SNARE)[DrumDiagnosis.MISSED]).isEqualTo(1);
    assertThat(d.spurious()).containsEntry(DrumInstrument.CRASH, 1).containsEntry(DrumInstrument.TOM, 0);
  }

  @Test
  void drumScoresPoolKickSnareAndHihat() {
    List<DrumHit> reference = List.of(hit(1.0, DrumInstrument.KICK), hit(1.5, DrumInstrument.SNARE),
        hit(2.0, DrumInstrument.HIHAT), hit(2.5, DrumInstrument.TOM));
    List<DrumHit> estimate = List.of(hit(1.02, DrumInstrument.KICK), hit(1.5, DrumInstrument.SNARE),
        hit(2.5, DrumInstrument.TOM));
    Evaluation.DrumScores s = Evaluation.drums(reference, estimate);
    // 2 of 3 pooled references found, both pooled estimates right; the tom is not pooled.
    assertThat(s.pooled().precision()).isEqualTo(1.0);
    assertThat(s.pooled().recall()).isEqualTo(2.0 / 3);
    assertThat(s.medianErrorMs()).isBetween(9.99, 10.01);
  }

  @Test
  void notesOffByAnOctaveMatchOnOnsetButNotOnPitch() {
    List<Note> reference = List.of(new Note(1.0, 1.4, 60, 100), new Note(2.0, 2.4, 62, 100),
        new Note(3.0, 3.4, 64, 100));
    List<Note> estimate = List.of(new Note(1.01, 1.4, 60, 100), new Note(2.0, 2.4, 74, 100),
        new Note(3.02, 3.1, 67, 100));
    Evaluation.NoteScoresSummary s = Evaluation.notes(reference, estimate);
    assertThat(s.onsetsOnly().fMeasure()).isEqualTo(1.0);
    assertThat(s.noOffsets().fMeasure()).isEqualTo(1.0 / 3);
    assertThat(s.pitchErrors()).isEqualTo(new Evaluation.PitchErrors(1, 1, 1));
  }

  @Test
  void vocaditoNotesAreOnsetPitchAndDuration() throws Exception {
    java.nio.file.Path csv = java.nio.file.Files.createTempFile("notes", ".csv");
    try {
      java.nio.file.Files.writeString(csv, "0.5,220.0,0.25\n1.0,440.0,0.5\n");
      var notes = Main.readVocaditoNotes(csv);
      assertThat(notes.onsets()).containsExactly(0.5, 1.0);
      assertThat(notes.offsets()).containsExactly(0.75, 1.5);
      assertThat(notes.pitchesHz()).containsExactly(220.0, 440.0);
    } finally {
      java.nio.file.Files.deleteIfExists(csv);
    }
  }
}
