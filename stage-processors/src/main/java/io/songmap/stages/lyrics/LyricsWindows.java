package io.songmap.stages.lyrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts 16 kHz mono vocals into windows of at most 30 s for ASR. A window ends at the quietest
 * 100 ms of its last five seconds rather than exactly at 30 s, so that a word is rarely cut in
 * two; windows with nothing above {@value #SILENCE_DBFS} dBFS are left out, since speech
 * recognisers invent text for silence.
 */
final class LyricsWindows {

  static final int SAMPLE_RATE = 16_000;
  static final int MAX_SAMPLES = 30 * SAMPLE_RATE;
  static final int SEARCH_SAMPLES = 5 * SAMPLE_RATE;
  static final int QUIET_BLOCK = SAMPLE_RATE / 10;
  static final double SILENCE_DBFS = -50;

  /** A window: its first sample in the song and its samples. */
  record Window(int start, float[] samples) {
    double startSeconds() {
      return (double) start / SAMPLE_RATE;
    }
  }

  private LyricsWindows() {}

  static List<Window> split(float[] mono) {
    List<Window> windows = new ArrayList<>();
    int start = 0;
    while (start < mono.length) {
      int end = mono.length - start <= MAX_SAMPLES ? mono.length : quietestCut(mono, start);
      float[] samples = new float[end - start];
      System.arraycopy(mono, start, samples, 0, samples.length);
      if (!silent(samples)) {
        windows.add(new Window(start, samples));
      }
      start = end;
    }
    return windows;
  }

  /** The end of a full-length window starting at {@code start}: the middle of its quietest block near the end. */
  private static int quietestCut(float[] mono, int start) {
    int limit = start + MAX_SAMPLES;
    int best = limit;
    double bestEnergy = Double.POSITIVE_INFINITY;
    for (int blockStart = limit - SEARCH_SAMPLES; blockStart + QUIET_BLOCK <= limit; blockStart += QUIET_BLOCK / 2) {
      double energy = 0;
      for (int i = blockStart; i < blockStart + QUIET_BLOCK; i++) {
        energy += (double) mono[i] * mono[i];
      }
      if (energy < bestEnergy) {
        bestEnergy = energy;
        best = blockStart + QUIET_BLOCK / 2;
      }
    }
    return best;
  }

  static boolean silent(float[] samples) {
    double peak = 0;
    for (float v : samples) {
      peak = Math.max(peak, Math.abs(v));
    }
    return peak == 0 || 20 * Math.log10(peak) < SILENCE_DBFS;
  }
}
