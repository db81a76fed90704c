package io.songmap.audio.dsp;

/**
 * A detected onset.
 *
 * @param time     seconds from the start of the signal
 * @param strength the onset envelope's peak relative to the strongest onset of the signal, in (0, 1]
 */
public record Onset(double time, double strength) {
}
