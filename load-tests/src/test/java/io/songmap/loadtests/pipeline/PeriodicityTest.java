package io.songmap.loadtests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PeriodicityTest {
  private static final int N = 12_000;

  /** Operations every 8.33 ms; those that start in a 15 ms window of every 527 ms cycle take 3 times as long. */
  @Test
  void findsTheCycleOfAnInterruptionThatSlowsSomeOperations() {
    Random random = new Random(7);
    double[] starts = new double[N];
    double[] durations = new double[N];
    for (int i = 0; i < N; i++) {
      starts[i] = 1_000 + i * 8.33 + random.nextDouble();
      boolean hit = (starts[i] % 527.0) < 15;
      durations[i] = (hit ? 12 : 4) + random.nextGaussian();
    }
    Periodicity.Finding f = Periodicity.strongest(starts, durations, 0.95, 100, 2000, 0.5);
    assertThat(f.periodMs()).isCloseTo(527.0, within(1.0));
    assertThat(f.concentration()).isGreaterThan(0.5);
    assertThat(f.peakShare()).isGreaterThan(5 * f.troughShare());
  }

  @Test
  void slowOperationsAtRandomTimesShowNoCycle() {
    Random random = new Random(11);
    double[] starts = new double[N];
    double[] durations = new double[N];
    for (int i = 0; i < N; i++) {
      starts[i] = i * 8.33;
      durations[i] = 4 + (random.nextDouble() < 0.05 ? 8 : 0) + random.nextGaussian() * 0.1;
    }
    Periodicity.Finding f = Periodicity.strongest(starts, durations, 0.95, 100, 2000, 0.5);
    // The best of 3,800 periods tried rises above the random level, but not far.
    assertThat(f.concentration()).isLessThan(4 * f.randomLevel());
    assertThat(f.slow()).isBetween(500, 700);
  }
}
