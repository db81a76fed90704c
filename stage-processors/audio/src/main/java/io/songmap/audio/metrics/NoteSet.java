package io.songmap.audio.metrics;

import io.songmap.audio.notes.Note;
import java.util.List;

/**
 * Notes as mir_eval's transcription metrics take them: onset and offset in seconds and pitch in Hz.
 */
public record NoteSet(double[] onsets, double[] offsets, double[] pitchesHz) {

    public NoteSet {
        if (onsets.length != offsets.length || onsets.length != pitchesHz.length) {
            throw new IllegalArgumentException("onsets, offsets and pitches differ in length");
        }
        for (int i = 0; i < onsets.length; i++) {
            if (!(offsets[i] >= onsets[i])) {
                throw new IllegalArgumentException("note " + i + " ends before it starts");
            }
            if (!(pitchesHz[i] > 0)) {
                throw new IllegalArgumentException("note " + i + " has a non-positive pitch: " + pitchesHz[i]);
            }
        }
    }

    public int size() {
        return onsets.length;
    }

    /** Song Map notes, their MIDI pitches converted to Hz (A4 = 440 Hz). */
    public static NoteSet of(List<Note> notes) {
        int n = notes.size();
        double[] on = new double[n];
        double[] off = new double[n];
        double[] hz = new double[n];
        for (int i = 0; i < n; i++) {
            on[i] = notes.get(i).start();
            off[i] = notes.get(i).end();
            hz[i] = midiToHz(notes.get(i).midi());
        }
        return new NoteSet(on, off, hz);
    }

    public static double midiToHz(double midi) {
        return 440.0 * Math.pow(2, (midi - 69) / 12.0);
    }
}
