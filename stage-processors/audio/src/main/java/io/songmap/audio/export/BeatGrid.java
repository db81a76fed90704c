package io.songmap.audio.export;

import io.songmap.audio.songmap.SongMap;
import java.util.List;

/**
 * Maps seconds to a continuous beat number: beat {@code k} is at the k-th detected beat time, in
 * between it is linear, and outside the detected beats (or without any) it runs on at the mean beat
 * period, so hits before the first or after the last detected beat still land on a grid.
 */
public final class BeatGrid {

    private final double[] beats;
    private final double period;

    private BeatGrid(double[] beats, double period) {
        this.beats = beats;
        this.period = period;
    }

    public static BeatGrid of(SongMap.Tempo tempo) {
        List<Double> detected = tempo.beats();
        double[] beats = detected.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (beats.length >= 2) {
            double period = (beats[beats.length - 1] - beats[0]) / (beats.length - 1);
            if (period > 0) {
                return new BeatGrid(beats, period);
            }
        }
        return new BeatGrid(new double[] {0.0}, 60.0 / tempo.bpm());
    }

    public double beatAt(double seconds) {
        int last = beats.length - 1;
        if (seconds <= beats[0]) {
            return (seconds - beats[0]) / period;
        }
        if (seconds >= beats[last]) {
            return last + (seconds - beats[last]) / period;
        }
        int lo = 0;
        int hi = last;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (beats[mid] <= seconds) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double span = beats[hi] - beats[lo];
        return span > 0 ? lo + (seconds - beats[lo]) / span : lo;
    }
}
