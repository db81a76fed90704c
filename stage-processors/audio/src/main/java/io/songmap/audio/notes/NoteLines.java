package io.songmap.audio.notes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reductions of polyphonic transcriptions to the parts a Song Map keeps: the bass (notes up to a
 * pitch ceiling, optionally reduced to its lowest line) and the melody (the "skyline": at any moment
 * only the highest sounding note).
 */
public final class NoteLines {

    /** Highest pitch kept for the bass by default: middle C. */
    public static final int BASS_CEILING_MIDI = 60;
    /** The melody keeps notes at least this share of the local median velocity ({@link #withoutQuiet}). */
    public static final double MELODY_QUIET_SHARE = 0.8;
    /** How far either side of a note the local median velocity reaches, in seconds. */
    public static final double QUIET_WINDOW_SECONDS = 10;
    /** A note cut shorter than this by a reduction is dropped rather than kept as a blip. */
    public static final double MIN_KEPT_SECONDS = 0.05;

    private NoteLines() {}

    /** Notes at or below {@code ceilingMidi}; with {@code monophonic}, only the lowest line of them. */
    public static List<Note> bass(List<Note> notes, int ceilingMidi, boolean monophonic) {
        List<Note> low = notes.stream().filter(n -> n.midi() <= ceilingMidi).toList();
        return monophonic ? line(low, false) : sorted(low);
    }

    /** The melody line: the highest note at every moment. */
    public static List<Note> skyline(List<Note> notes) {
        return line(notes, true);
    }

    /**
     * One note at a time, in onset order. Of notes starting together the highest (or lowest) wins.
     * A note starting while another sounds replaces it if it is higher (lower), cutting the
     * sounding one short at its onset; otherwise it is hidden under the sounding note and dropped.
     */
    public static List<Note> line(List<Note> notes, boolean highest) {
        Comparator<Note> byPitch = Comparator.comparingInt(Note::midi);
        List<Note> ordered = new ArrayList<>(notes);
        ordered.sort(Comparator.comparingDouble(Note::start).thenComparing(highest ? byPitch.reversed() : byPitch));
        List<Note> line = new ArrayList<>();
        for (Note note : ordered) {
            if (line.isEmpty()) {
                line.add(note);
                continue;
            }
            Note current = line.get(line.size() - 1);
            if (note.start() >= current.end()) {
                line.add(note);
                continue;
            }
            boolean wins = highest ? note.midi() > current.midi() : note.midi() < current.midi();
            if (!wins || note.start() == current.start()) {
                continue;
            }
            line.remove(line.size() - 1);
            if (note.start() - current.start() >= MIN_KEPT_SECONDS) {
                line.add(new Note(current.start(), note.start(), current.midi(), current.velocity()));
            }
            line.add(note);
        }
        return line;
    }

    /**
     * The line without its quiet notes: a note whose velocity is under {@code share} of the median
     * velocity of the line's notes starting within {@code windowSeconds} of it is dropped. The melody is
     * the leading voice of its stems; what the transcription hears much more weakly there is mostly
     * another part leaking into them (the bass's upper partials, a drum's ring) or a fragment of a
     * note's decay. The median is taken locally so that a quiet verse keeps its notes beside a loud chorus.
     */
    public static List<Note> withoutQuiet(List<Note> line, double share, double windowSeconds) {
        if (!(share >= 0) || !(windowSeconds > 0)) {
            throw new IllegalArgumentException("need share >= 0 and windowSeconds > 0");
        }
        List<Note> ordered = sorted(line);
        List<Note> kept = new ArrayList<>(ordered.size());
        int from = 0;
        int to = 0;
        for (Note note : ordered) {
            while (ordered.get(from).start() < note.start() - windowSeconds) {
                from++;
            }
            while (to < ordered.size() && ordered.get(to).start() <= note.start() + windowSeconds) {
                to++;
            }
            int[] velocities = new int[to - from];
            for (int i = from; i < to; i++) {
                velocities[i - from] = ordered.get(i).velocity();
            }
            Arrays.sort(velocities);
            int n = velocities.length;
            double median = n % 2 == 1 ? velocities[n / 2] : 0.5 * (velocities[n / 2 - 1] + velocities[n / 2]);
            if (note.velocity() >= share * median) {
                kept.add(note);
            }
        }
        return kept;
    }

    private static List<Note> sorted(List<Note> notes) {
        List<Note> out = new ArrayList<>(notes);
        out.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::midi));
        return out;
    }
}
