package io.songmap.audio.dsp;

import java.util.Objects;

/**
 * A tempo and the beats that carry it.
 *
 * @param bpm   beats per minute, the least-squares fit over the beats (or the estimated period when
 *              there are too few beats to fit); 0 when the signal has no pulse
 * @param beats beat times in seconds, ascending; empty when the signal has no pulse
 */
public record BeatTrack(double bpm, double[] beats) {
    public static final BeatTrack NONE = new BeatTrack(0, new double[0]);

    public BeatTrack {
        Objects.requireNonNull(beats, "beats");
        if (!(bpm >= 0)) {
            throw new IllegalArgumentException("bpm must not be negative: " + bpm);
        }
    }
}
