package io.songmap.audio.songmap;

/** One drum stroke: time in seconds, the kit piece and its velocity (0..127). */
public record DrumHit(double time, DrumInstrument instrument, int velocity) {

    public DrumHit {
        if (!(time >= 0)) {
            throw new IllegalArgumentException("drum hit time must be >= 0, got " + time);
        }
        if (instrument == null) {
            throw new IllegalArgumentException("drum hit needs an instrument");
        }
        if (velocity < 0 || velocity > 127) {
            throw new IllegalArgumentException("velocity out of range 0..127: " + velocity);
        }
    }
}
