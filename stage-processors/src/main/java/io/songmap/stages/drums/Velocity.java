package io.songmap.stages.drums;

/**
 * A hit's MIDI velocity from the drum stem: the peak level in the first {@value #WINDOW_SECONDS} s
 * after the onset, relative to the loudest peak of the stem, mapped linearly in decibels so that
 * the loudest hit is 127 and one {@value #RANGE_DB} dB softer is 1. Drummers' dynamics span about
 * that range, and a level scale keeps ghost notes audible but clearly soft.
 */
final class Velocity {

  static final double WINDOW_SECONDS = 0.03;
  static final double RANGE_DB = 48;

  private final float[] mono;
  private final int sampleRate;
  private final double loudest;

  Velocity(float[] mono, int sampleRate) {
    this.mono = mono;
    this.sampleRate = sampleRate;
    double peak = 0;
    for (float v : mono) {
      peak = Math.max(peak, Math.abs(v));
    }
    this.loudest = peak;
  }

  int at(double seconds) {
    if (loudest <= 0) {
      return 1;
    }
    int from = Math.max(0, (int) Math.round(seconds * sampleRate));
    int to = Math.min(mono.length, from + (int) Math.round(WINDOW_SECONDS * sampleRate));
    double peak = 0;
    for (int i = from; i < to; i++) {
      peak = Math.max(peak, Math.abs(mono[i]));
    }
    if (peak <= 0) {
      return 1;
    }
    double db = 20 * Math.log10(peak / loudest);
    long velocity = Math.round(127 + (126 / RANGE_DB) * db);
    return (int) Math.max(1, Math.min(127, velocity));
  }
}
