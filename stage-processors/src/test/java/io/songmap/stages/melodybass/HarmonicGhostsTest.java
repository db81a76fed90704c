package io.songmap.stages.melodybass;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.notes.Note;
import java.util.List;
import org.junit.jupiter.api.Test;

class HarmonicGhostsTest {

  @Test
  void aQuieterOctaveStartingWithALouderNoteIsDropped() {
    Note fundamental = new Note(2.00, 2.82, 74, 91);
    Note octave = new Note(1.99, 2.52, 86, 42);
    Note twelfth = new Note(2.01, 2.50, 93, 30);
    assertThat(HarmonicGhosts.remove(List.of(octave, fundamental, twelfth))).containsExactly(fundamental);
  }

  @Test
  void realIntervalsAndLouderOrLaterUpperNotesStay() {
    Note low = new Note(0.0, 1.0, 60, 80);
    Note fifth = new Note(0.0, 1.0, 67, 40);
    Note louderOctave = new Note(0.0, 1.0, 72, 90);
    Note laterOctave = new Note(0.5, 1.5, 72, 30);
    assertThat(HarmonicGhosts.remove(List.of(low, fifth))).containsExactly(low, fifth);
    assertThat(HarmonicGhosts.remove(List.of(low, louderOctave))).containsExactly(low, louderOctave);
    assertThat(HarmonicGhosts.remove(List.of(low, laterOctave))).containsExactly(low, laterOctave);
  }
}
