package io.songmap.audio.notes;

/**
 * One transcribed note: onset and offset in seconds from the start of the song, MIDI pitch and
 * velocity (0..127).
 */
public record Note(double start, double end, int midi, int velocity) {

    public Note {
        if (!(start >= 0) || !(end >= start)) {
            throw new IllegalArgumentException("note times must satisfy 0 <= start <= end, got " + start + ".." + end);
        }
        if (midi < 0 || midi > 127) {
            throw new IllegalArgumentException("MIDI pitch out of range 0..127: " + midi);
        }
        if (velocity < 0 || velocity > 127) {
            throw new IllegalArgumentException("velocity out of range 0..127: " + velocity);
        }
    }

    public double duration() {
        return end - start;
    }
}
