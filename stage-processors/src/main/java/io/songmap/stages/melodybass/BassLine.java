package io.songmap.stages.melodybass;

import io.songmap.audio.notes.Note;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Two corrections to the monophonic bass line, both about where a bass note starts. Basic Pitch
 * hears a low note late: its lowest bins need the longest windows, and a plucked or picked string
 * starts bright, so the first few frames carry the upper partials before the fundamental.
 * <ol>
 *   <li><b>Overtone attacks.</b> A short note an octave, a twelfth or two octaves above the next one,
 *       which follows it at once, is the attack of that next note: the two become one note at the
 *       lower pitch, starting where the attack started. "Short" means the lower note starts at most
 *       {@value #ATTACK_SECONDS} s after the attack, "at once" at most {@value #ATTACK_GAP_SECONDS}
 *       s after the attack ends.
 *   <li><b>Onsets of the stem.</b> A note that starts at most {@value #SNAP_BEFORE_SECONDS} s after
 *       an onset of the bass stem (spectral flux; or up to {@value #SNAP_AFTER_SECONDS} s before it)
 *       starts at that onset, the earliest one in that span. The note before it ends there at the
 *       latest; a note that would have no duration left is not moved.
 * </ol>
 */
final class BassLine {

  static final double ATTACK_SECONDS = 0.15;
  static final double ATTACK_GAP_SECONDS = 0.03;
  static final double SNAP_BEFORE_SECONDS = 0.05;
  static final double SNAP_AFTER_SECONDS = 0.01;
  private static final int[] OVERTONE_INTERVALS = {12, 19, 24};

  private BassLine() {}

  /** Both corrections, in order, on a monophonic line; {@code stemOnsets} in seconds, ascending. */
  static List<Note> refine(List<Note> line, double[] stemOnsets) {
    return snapToOnsets(mergeOvertoneAttacks(line), stemOnsets);
  }

  static List<Note> mergeOvertoneAttacks(List<Note> line) {
    List<Note> notes = sorted(line);
    List<Note> out = new ArrayList<>(notes.size());
    for (int i = 0; i < notes.size(); i++) {
      Note attack = notes.get(i);
      if (i + 1 < notes.size()) {
        Note next = notes.get(i + 1);
        if (isOvertone(attack.midi() - next.midi()) && next.start() - attack.end() <= ATTACK_GAP_SECONDS
            && next.start() - attack.start() <= ATTACK_SECONDS) {
          out.add(new Note(attack.start(), next.end(), next.midi(), Math.max(attack.velocity(), next.velocity())));
          i++;
          continue;
        }
      }
      out.add(attack);
    }
    return out;
  }

  static List<Note> snapToOnsets(List<Note> line, double[] stemOnsets) {
    List<Note> notes = new ArrayList<>(sorted(line));
    for (int i = 0; i < notes.size(); i++) {
      Note note = notes.get(i);
      double onset = earliestOnset(stemOnsets, note.start() - SNAP_BEFORE_SECONDS, note.start() + SNAP_AFTER_SECONDS);
      if (Double.isNaN(onset) || onset == note.start() || onset >= note.end()) {
        continue;
      }
      if (i > 0) {
        Note previous = notes.get(i - 1);
        if (previous.end() > onset) {
          if (onset <= previous.start()) {
            continue;
          }
          notes.set(i - 1, new Note(previous.start(), onset, previous.midi(), previous.velocity()));
        }
      }
      notes.set(i, new Note(Math.max(0, onset), note.end(), note.midi(), note.velocity()));
    }
    return List.copyOf(notes);
  }

  /** The first onset in {@code [from, to]}, or NaN. */
  private static double earliestOnset(double[] onsets, double from, double to) {
    int at = Arrays.binarySearch(onsets, from);
    int i = at >= 0 ? at : -at - 1;
    while (i > 0 && onsets[i - 1] == from) {
      i--;
    }
    return i < onsets.length && onsets[i] <= to ? onsets[i] : Double.NaN;
  }

  private static boolean isOvertone(int interval) {
    for (int i : OVERTONE_INTERVALS) {
      if (interval == i) {
        return true;
      }
    }
    return false;
  }

  private static List<Note> sorted(List<Note> notes) {
    List<Note> copy = new ArrayList<>(notes);
    copy.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::midi));
    return copy;
  }
}
