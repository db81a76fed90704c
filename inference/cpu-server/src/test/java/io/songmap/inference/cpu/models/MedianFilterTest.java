package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MedianFilterTest {

  @Test
  void runningMedianEqualsSortingEachMirroredWindow() {
    SplittableRandom random = new SplittableRandom(3);
    for (int n : new int[] {1, 2, 5, 40, 333}) {
      for (int kernel : new int[] {1, 3, 7, 17}) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          // repeated values too, which the sorted window must handle
          x[i] = random.nextInt(4) == 0 ? 1f : (float) random.nextDouble();
        }
        float[] out = new float[n];
        MedianFilter.running(x, kernel, new float[kernel], out);
        for (int i = 0; i < n; i++) {
          assertThat(out[i]).as("n %d kernel %d at %d", n, kernel, i).isEqualTo(bruteForce(x, kernel, i));
        }
      }
    }
  }

  @Test
  void filtersRowsAndColumnsOfAMatrix() {
    float[] m = {
        1, 9, 2, 8,
        5, 5, 5, 5,
        0, 7, 3, 6};
    float[] rows = new float[12];
    MedianFilter.alongRows(m, 3, 4, 3, rows, 0, 3);
    assertThat(rows).containsExactly(1, 2, 8, 8, 5, 5, 5, 5, 0, 3, 6, 6);
    float[] cols = new float[12];
    MedianFilter.alongColumns(m, 3, 4, 3, cols);
    assertThat(cols).containsExactly(1, 9, 2, 8, 1, 7, 3, 6, 0, 7, 3, 6);
  }

  /** scipy.ndimage 'reflect': d c b a | a b c d | d c b a. */
  private static float bruteForce(float[] x, int kernel, int i) {
    float[] w = new float[kernel];
    for (int j = 0; j < kernel; j++) {
      int k = i - kernel / 2 + j;
      while (k < 0 || k >= x.length) {
        k = k < 0 ? -k - 1 : 2 * x.length - k - 1;
      }
      w[j] = x[k];
    }
    Arrays.sort(w);
    return w[kernel / 2];
  }
}
