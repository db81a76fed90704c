package io.songmap.inference.triton;

import java.util.Arrays;

/** Small helpers for tensor shapes. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements a shape holds; throws on a negative (variable) dimension. */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a variable dimension");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** True when {@code actual} fits {@code declared}, where -1 in {@code declared} matches any size. */
  public static boolean fits(long[] declared, long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] != -1 && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code [-1, dims...]}: the full shape of a batching model's tensor as metadata reports it. */
  public static long[] withBatchDim(long[] dims) {
    long[] out = new long[dims.length + 1];
    out[0] = -1;
    System.arraycopy(dims, 0, out, 1, dims.length);
    return out;
  }

  public static String format(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }
}
