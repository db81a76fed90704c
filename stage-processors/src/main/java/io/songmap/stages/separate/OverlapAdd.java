package io.songmap.stages.separate;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Splits a song into fixed-length overlapping segments and joins the separated segments again,
 * as Demucs' own {@code apply_model} does: each segment's output is weighted by a triangular window
 * (1 at both edges, {@code L/2} in the middle, never zero) and every output sample is the weighted
 * sum divided by the sum of the weights, so the cross-fades add up to one everywhere and a model
 * that returns its input gives back the song unchanged.
 *
 * <p>Results may arrive in any order. Everything before the start of the first segment still
 * missing is final; {@link #drainReady} hands that region out once, so the caller can write it
 * and this object can forget the segments that no longer reach past it. Memory therefore stays
 * bounded by the segments in flight, not by the length of the song.
 *
 * <p>Not thread-safe: one caller at a time.
 */
public final class OverlapAdd {

  private final int frames;
  private final int segmentLength;
  private final int hop;
  private final int stems;
  private final int channels;
  private final int segmentCount;
  private final float[] weight;
  /** Results not yet forgotten, by segment index: {@code [stem][channel][i]} flattened. */
  private final Map<Integer, float[]> results = new HashMap<>();
  private final boolean[] added;
  private int firstMissing;
  private int drainedUpTo;

  /**
   * @param frames samples per channel of the whole song
   * @param segmentLength samples per channel of one segment (the model's input length)
   * @param overlap share of a segment shared with the next, in [0.25, 0.75]
   */
  public OverlapAdd(int frames, int segmentLength, double overlap, int stems, int channels) {
    if (frames < 1 || segmentLength < 2 || stems < 1 || channels < 1) {
      throw new IllegalArgumentException("need frames, a segment length, stems and channels");
    }
    if (!(overlap >= 0.25 && overlap <= 0.75)) {
      throw new IllegalArgumentException("overlap must be in 0.25..0.75: " + overlap);
    }
    this.frames = frames;
    this.segmentLength = segmentLength;
    this.hop = Math.max(1, (int) Math.round(segmentLength * (1 - overlap)));
    this.stems = stems;
    this.channels = channels;
    this.segmentCount = frames <= segmentLength ? 1 : 1 + (int) Math.ceil((double) (frames - segmentLength) / hop);
    this.weight = triangle(segmentLength);
    this.added = new boolean[segmentCount];
  }

  /** Demucs' transition weight: {@code min(i + 1, L - i)}. */
  static float[] triangle(int length) {
    float[] w = new float[length];
    for (int i = 0; i < length; i++) {
      w[i] = Math.min(i + 1, length - i);
    }
    return w;
  }

  public int segmentCount() {
    return segmentCount;
  }

  public int hop() {
    return hop;
  }

  public int segmentLength() {
    return segmentLength;
  }

  /** First sample of segment {@code k}. */
  public int offset(int k) {
    return k * hop;
  }

  /**
   * The model input for segment {@code k}: {@code [channel][i]} flattened, from planar
   * {@code mix[channel][frame]}, zero past the end of the song.
   */
  public float[] input(float[][] mix, int k) {
    if (mix.length != channels || mix[0].length != frames) {
      throw new IllegalArgumentException("the mix must have " + channels + " channels of " + frames + " frames");
    }
    float[] out = new float[channels * segmentLength];
    int start = offset(k);
    int available = Math.max(0, Math.min(segmentLength, frames - start));
    for (int c = 0; c < channels; c++) {
      System.arraycopy(mix[c], start, out, c * segmentLength, available);
    }
    return out;
  }

  /** Takes the model output of segment {@code k}: {@code [stem][channel][i]} flattened. */
  public void add(int k, FloatBuffer output) {
    if (k < 0 || k >= segmentCount) {
      throw new IllegalArgumentException("no segment " + k + " of " + segmentCount);
    }
    if (added[k]) {
      throw new IllegalStateException("segment " + k + " was added twice");
    }
    int expected = stems * channels * segmentLength;
    if (output.remaining() != expected) {
      throw new IllegalArgumentException("segment " + k + " has " + output.remaining() + " values, expected " + expected);
    }
    float[] copy = new float[expected];
    output.duplicate().get(copy);
    results.put(k, copy);
    added[k] = true;
    while (firstMissing < segmentCount && added[firstMissing]) {
      firstMissing++;
    }
  }

  /** Whether every segment has been added and every sample handed out. */
  public boolean isComplete() {
    return drainedUpTo == frames;
  }

  /**
   * The samples that became final since the last call, {@code [stem][channel][frame]} starting at
   * {@link #drainedUpTo()} before the call; empty arrays when none did.
   */
  public float[][][] drainReady() {
    int readyEnd = firstMissing >= segmentCount ? frames : Math.min(frames, offset(firstMissing));
    int from = drainedUpTo;
    int count = Math.max(0, readyEnd - from);
    float[][][] out = new float[stems][channels][count];
    if (count > 0) {
      int firstSegment = Math.max(0, (from - segmentLength) / hop);
      double[] sum = new double[count];
      double[] weights = new double[count];
      for (int s = 0; s < stems; s++) {
        for (int c = 0; c < channels; c++) {
          java.util.Arrays.fill(sum, 0);
          java.util.Arrays.fill(weights, 0);
          for (int k = firstSegment; k < segmentCount && offset(k) < readyEnd; k++) {
            int start = offset(k);
            int lo = Math.max(from, start);
            int hi = Math.min(readyEnd, start + segmentLength);
            if (lo >= hi) {
              continue;
            }
            float[] result = results.get(k);
            int base = (s * channels + c) * segmentLength - start;
            for (int t = lo; t < hi; t++) {
              double w = weight[t - start];
              sum[t - from] += w * result[base + t];
              weights[t - from] += w;
            }
          }
          float[] target = out[s][c];
          for (int i = 0; i < count; i++) {
            target[i] = (float) (sum[i] / weights[i]);
          }
        }
      }
    }
    drainedUpTo = readyEnd;
    results.keySet().removeIf(k -> offset(k) + segmentLength <= drainedUpTo);
    return out;
  }

  public int drainedUpTo() {
    return drainedUpTo;
  }

  /** Segments held in memory now. */
  int heldSegments() {
    return results.size();
  }
}
