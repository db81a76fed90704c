package io.songmap.audio.notes;

import java.util.ArrayList;
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

    private static List<Note> sorted(List<Note> notes) {
        List<Note> out = new ArrayList<>(notes);
        out.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::midi));
        return out;
    }
}
