package io.songmap.stages.melodybass;

import io.songmap.audio.notes.Note;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes notes that are overtones of another note rather than notes of their own. Basic Pitch
 * often reports a bright tone's octave (or twelfth, or double octave) as a second, quieter note
 * starting with it; the skyline reduction would then pick that ghost as the melody, an octave too
 * high. A note counts as a ghost when a louder note an octave, a twelfth or two octaves below
 * starts within {@value #ONSET_TOLERANCE_SECONDS} s of it and sounds for most of its duration.
 */
final class HarmonicGhosts {

  static final double ONSET_TOLERANCE_SECONDS = 0.05;
  static final double MIN_OVERLAP = 0.5;
  private static final int[] OVERTONE_INTERVALS = {12, 19, 24};

  private HarmonicGhosts() {}

  static List<Note> remove(List<Note> notes) {
    List<Note> kept = new ArrayList<>(notes.size());
    for (Note candidate : notes) {
      if (!isGhost(candidate, notes)) {
        kept.add(candidate);
      }
    }
    return kept;
  }

  private static boolean isGhost(Note note, List<Note> notes) {
    for (Note fundamental : notes) {
      if (fundamental == note || fundamental.velocity() <= note.velocity()
          || Math.abs(fundamental.start() - note.start()) > ONSET_TOLERANCE_SECONDS) {
        continue;
      }
      int interval = note.midi() - fundamental.midi();
      boolean overtone = false;
      for (int i : OVERTONE_INTERVALS) {
        overtone |= interval == i;
      }
      double overlap = Math.min(note.end(), fundamental.end()) - Math.max(note.start(), fundamental.start());
      if (overtone && overlap >= MIN_OVERLAP * note.duration()) {
        return true;
      }
    }
    return false;
  }
}
