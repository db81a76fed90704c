package io.songmap.stages.melodybass;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.notes.Note;
import java.util.List;
import org.junit.jupiter.api.Test;

class BassLineTest {

  private static final double[] NO_ONSETS = {};

  @Test
  void aShortOctaveAboveTheNextNoteIsItsAttack() {
    List<Note> line = List.of(new Note(1.00, 1.06, 59, 52), new Note(1.06, 1.40, 47, 60), new Note(1.50, 1.90, 42, 55));
    assertThat(BassLine.mergeOvertoneAttacks(line))
        .containsExactly(new Note(1.00, 1.40, 47, 60), new Note(1.50, 1.90, 42, 55));
  }

  @Test
  void twelfthsAndDoubleOctavesAreAttacksToo() {
    assertThat(BassLine.mergeOvertoneAttacks(List.of(new Note(0, 0.08, 47, 70), new Note(0.09, 0.5, 28, 40))))
        .containsExactly(new Note(0, 0.5, 28, 70));
    assertThat(BassLine.mergeOvertoneAttacks(List.of(new Note(0, 0.08, 52, 70), new Note(0.08, 0.5, 28, 40))))
        .containsExactly(new Note(0, 0.5, 28, 70));
  }

  @Test
  void longNotesOtherIntervalsAndGapsStayApart() {
    List<Note> longNote = List.of(new Note(0, 0.30, 47, 70), new Note(0.30, 0.6, 35, 60));
    List<Note> fifth = List.of(new Note(0, 0.06, 42, 70), new Note(0.06, 0.6, 35, 60));
    List<Note> gap = List.of(new Note(0, 0.06, 47, 70), new Note(0.10, 0.6, 35, 60));
    List<Note> upward = List.of(new Note(0, 0.06, 35, 70), new Note(0.06, 0.6, 47, 60));
    for (List<Note> line : List.of(longNote, fifth, gap, upward)) {
      assertThat(BassLine.mergeOvertoneAttacks(line)).isEqualTo(line);
    }
  }

  @Test
  void aLateStartMovesToTheEarliestStemOnsetJustBeforeIt() {
    List<Note> line = List.of(new Note(1.00, 1.30, 40, 60), new Note(1.33, 1.80, 42, 60));
    double[] onsets = {0.5, 0.97, 0.99, 1.29, 1.31, 2.0};
    assertThat(BassLine.snapToOnsets(line, onsets))
        .containsExactly(new Note(0.97, 1.29, 40, 60), new Note(1.29, 1.80, 42, 60));
  }

  @Test
  void onsetsTooFarAwayOrTooLateChangeNothing() {
    List<Note> line = List.of(new Note(1.00, 1.30, 40, 60));
    assertThat(BassLine.snapToOnsets(line, new double[] {0.94, 1.02})).isEqualTo(line);
    assertThat(BassLine.snapToOnsets(line, NO_ONSETS)).isEqualTo(line);
  }

  @Test
  void aSnapNeverLeavesTheNoteBeforeWithoutDuration() {
    List<Note> line = List.of(new Note(1.00, 1.02, 40, 60), new Note(1.03, 1.50, 42, 60));
    assertThat(BassLine.snapToOnsets(line, new double[] {0.995})).containsExactly(
        new Note(0.995, 1.02, 40, 60), new Note(1.03, 1.50, 42, 60));
    // the onset before the second note lies at the first note's start: the second note stays
    List<Note> tight = List.of(new Note(1.00, 1.03, 40, 60), new Note(1.03, 1.50, 42, 60));
    assertThat(BassLine.snapToOnsets(tight, new double[] {1.00})).containsExactly(
        new Note(1.00, 1.03, 40, 60), new Note(1.03, 1.50, 42, 60));
  }

  @Test
  void refineMergesFirstThenSnaps() {
    List<Note> line = List.of(new Note(1.00, 1.06, 59, 52), new Note(1.06, 1.40, 47, 60));
    assertThat(BassLine.refine(line, new double[] {0.98})).containsExactly(new Note(0.98, 1.40, 47, 60));
  }
}
