package io.songmap.inference.cpu.models;

import java.util.Arrays;

/**
 * Running medians over the rows or columns of a row-major matrix, with the edges mirrored like
 * {@code scipy.ndimage.median_filter(mode='reflect')} ({@code d c b a | a b c d | d c b a}). A sorted
 * window is updated by one removal and one insertion per step: O(kernel) per output, no sorting.
 */
final class MedianFilter {

  private MedianFilter() {}

  /** out[r][c] = median of in[r][c - k/2 .. c + k/2] for rows {@code rowFrom..rowTo-1}. */
  static void alongRows(float[] in, int rows, int cols, int kernel, float[] out, int rowFrom, int rowTo) {
    float[] line = new float[cols];
    float[] result = new float[cols];
    float[] window = new float[kernel];
    for (int r = rowFrom; r < rowTo; r++) {
      System.arraycopy(in, r * cols, line, 0, cols);
      running(line, kernel, window, result);
      System.arraycopy(result, 0, out, r * cols, cols);
    }
  }

  /** out[r][c] = median of in[r - k/2 .. r + k/2][c] for every column. */
  static void alongColumns(float[] in, int rows, int cols, int kernel, float[] out) {
    float[] line = new float[rows];
    float[] result = new float[rows];
    float[] window = new float[kernel];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        line[r] = in[r * cols + c];
      }
      running(line, kernel, window, result);
      for (int r = 0; r < rows; r++) {
        out[r * cols + c] = result[r];
      }
    }
  }

  /** The running median of {@code x} with an odd kernel, into {@code out}. */
  static void running(float[] x, int kernel, float[] window, float[] out) {
    int n = x.length;
    int half = kernel / 2;
    for (int j = 0; j < kernel; j++) {
      window[j] = x[mirror(j - half, n)];
    }
    Arrays.sort(window, 0, kernel);
    out[0] = window[half];
    for (int i = 1; i < n; i++) {
      float leaving = x[mirror(i - 1 - half, n)];
      float entering = x[mirror(i + half, n)];
      replace(window, kernel, leaving, entering);
      out[i] = window[half];
    }
  }

  private static int mirror(int i, int n) {
    while (i < 0 || i >= n) {
      i = i < 0 ? -i - 1 : 2 * n - i - 1;
    }
    return i;
  }

  /** Removes one occurrence of {@code leaving} from the sorted window and inserts {@code entering}. */
  private static void replace(float[] w, int size, float leaving, float entering) {
    int pos = Arrays.binarySearch(w, 0, size, leaving);
    if (pos < 0) {
      throw new IllegalStateException("window lost a value");
    }
    // shift toward the insertion point of the new value
    if (entering > leaving) {
      while (pos + 1 < size && w[pos + 1] < entering) {
        w[pos] = w[pos + 1];
        pos++;
      }
    } else {
      while (pos > 0 && w[pos - 1] > entering) {
        w[pos] = w[pos - 1];
        pos--;
      }
    }
    w[pos] = entering;
  }
}
