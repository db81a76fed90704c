package io.songmap.loadtests.pipeline;

import java.util.Arrays;

/**
 * Whether slow operations come at a steady period: something on the machine that wakes up every so often (a
 * collector, a kernel thread, a timer of ours) and takes the CPU from whatever is in flight. For each candidate
 * period the slow operations' start times become angles on a circle; the length of their mean vector (0: spread
 * evenly, 1: all at the same phase) says how much they bunch at that period. Random times give about
 * {@code 1/sqrt(n)}.
 */
final class Periodicity {
  private static final double NEAR_STRONGEST = 0.9;
  /**
   * The cycle found: the longest period whose concentration comes within 10 % of the strongest (times bunched at a
   * period are as bunched at its halves and thirds).
   *
   * @param periodMs the period
   * @param concentration the mean vector's length at that period
   * @param randomLevel what evenly spread times would give, {@code 1/sqrt(slow)}
   * @param slow how many operations counted as slow
   * @param peakShare the share of all operations that were slow, in the tenth of the cycle where most were
   * @param troughShare the same in the tenth where fewest were
   */
  record Finding(double periodMs, double concentration, double randomLevel, int slow, double peakShare,
      double troughShare) {
  }

  private Periodicity() {}

  /**
   * Looks at the operations at or above the {@code quantile} of {@code durations} and tries every period from
   * {@code minMs} to {@code maxMs} in steps of {@code stepMs}.
   *
   * @param startsMs when each operation started, in milliseconds on any fixed clock
   * @param durations how long each one took, in any unit
   */
  static Finding strongest(double[] startsMs, double[] durations, double quantile, double minMs, double maxMs,
      double stepMs) {
    if (startsMs.length != durations.length || startsMs.length == 0) {
      throw new IllegalArgumentException("need as many durations as starts, and at least one");
    }
    double[] sorted = durations.clone();
    Arrays.sort(sorted);
    double threshold = sorted[Math.min(sorted.length - 1, (int) (quantile * sorted.length))];
    double origin = Arrays.stream(startsMs).min().orElse(0);
    int slow = 0;
    for (double d : durations) {
      slow += d >= threshold ? 1 : 0;
    }
    double[] slowStarts = new double[slow];
    int k = 0;
    for (int i = 0; i < durations.length; i++) {
      if (durations[i] >= threshold) {
        slowStarts[k++] = startsMs[i] - origin;
      }
    }
    int steps = (int) Math.floor((maxMs - minMs) / stepMs) + 1;
    double[] r = new double[steps];
    double max = 0;
    for (int i = 0; i < steps; i++) {
      double period = minMs + i * stepMs;
      double c = 0;
      double s = 0;
      for (double t : slowStarts) {
        double angle = 2 * Math.PI * t / period;
        c += Math.cos(angle);
        s += Math.sin(angle);
      }
      r[i] = Math.hypot(c, s) / slow;
      max = Math.max(max, r[i]);
    }
    // Times bunched at period P are just as bunched at P/2, P/3...: the cycle is the longest period that comes
    // close to the strongest.
    int chosen = 0;
    for (int i = 0; i < steps; i++) {
      if (r[i] >= NEAR_STRONGEST * max) {
        chosen = i;
      }
    }
    double best = r[chosen];
    double bestPeriod = minMs + chosen * stepMs;
    int[] all = new int[10];
    int[] slowIn = new int[10];
    for (int i = 0; i < startsMs.length; i++) {
      double t = startsMs[i] - origin;
      int bin = (int) Math.min(9, Math.floor((t % bestPeriod) / bestPeriod * 10));
      all[bin]++;
      slowIn[bin] += durations[i] >= threshold ? 1 : 0;
    }
    double peak = 0;
    double trough = 1;
    for (int bin = 0; bin < 10; bin++) {
      if (all[bin] > 0) {
        double share = slowIn[bin] / (double) all[bin];
        peak = Math.max(peak, share);
        trough = Math.min(trough, share);
      }
    }
    return new Finding(bestPeriod, best, 1 / Math.sqrt(slow), slow, peak, trough);
  }
}
