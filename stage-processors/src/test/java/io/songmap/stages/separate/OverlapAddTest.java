package io.songmap.stages.separate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OverlapAddTest {

  private static final int L = 1000;

  /** A "model" that returns stem s as (s + 1) times the segment. */
  private static FloatBuffer scaledStems(float[] input, int stems, int channels) {
    float[] out = new float[stems * input.length];
    for (int s = 0; s < stems; s++) {
      for (int i = 0; i < input.length; i++) {
        out[s * input.length + i] = (s + 1) * input[i];
      }
    }
    return FloatBuffer.wrap(out);
  }

  private static float[][] noise(int channels, int frames, long seed) {
    Random random = new Random(seed);
    float[][] x = new float[channels][frames];
    for (float[] c : x) {
      for (int i = 0; i < frames; i++) {
        c[i] = (float) (random.nextGaussian() * 0.3);
      }
    }
    return x;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 999, 1000, 1001, 1750, 4321, 10_000})
  void aModelReturningItsInputGivesBackTheSongInAnyArrivalOrder(int frames) {
    float[][] mix = noise(2, frames, frames);
    OverlapAdd joiner = new OverlapAdd(frames, L, 0.25, 4, 2);
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < joiner.segmentCount(); k++) {
      order.add(k);
    }
    Collections.shuffle(order, new Random(frames));
    float[][][] out = new float[4][2][frames];
    for (int k : order) {
      int from = joiner.drainedUpTo();
      joiner.add(k, scaledStems(joiner.input(mix, k), 4, 2));
      float[][][] ready = joiner.drainReady();
      for (int s = 0; s < 4; s++) {
        for (int c = 0; c < 2; c++) {
          System.arraycopy(ready[s][c], 0, out[s][c], from, ready[s][c].length);
        }
      }
    }
    assertTrue(joiner.isComplete());
    for (int s = 0; s < 4; s++) {
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < frames; i++) {
          assertEquals((s + 1) * mix[c][i], out[s][c][i], 1e-6, "stem " + s + " channel " + c + " sample " + i);
        }
      }
    }
  }

  @Test
  void segmentsOverlapByAtLeastAQuarterAndCoverTheSong() {
    OverlapAdd joiner = new OverlapAdd(10_000, L, 0.25, 4, 2);
    assertEquals(750, joiner.hop());
    assertEquals(13, joiner.segmentCount());
    int last = joiner.segmentCount() - 1;
    assertTrue(joiner.offset(last) + L >= 10_000);
    assertTrue(joiner.offset(last - 1) + L < 10_000);
  }

  @Test
  void theCrossFadeIsATriangleThatNeverReachesZero() {
    assertArrayEquals(new float[] {1, 2, 3, 3, 2, 1}, OverlapAdd.triangle(6));
    assertArrayEquals(new float[] {1, 2, 3, 2, 1}, OverlapAdd.triangle(5));
  }

  @Test
  void finishedSegmentsAreForgottenOnceTheirStretchIsWritten() {
    int frames = 20 * L;
    float[][] mix = noise(2, frames, 7);
    OverlapAdd joiner = new OverlapAdd(frames, L, 0.25, 4, 2);
    for (int k = 0; k < joiner.segmentCount(); k++) {
      joiner.add(k, scaledStems(joiner.input(mix, k), 4, 2));
      joiner.drainReady();
      assertTrue(joiner.heldSegments() <= 2, "holds " + joiner.heldSegments() + " segments after " + k);
    }
    assertTrue(joiner.isComplete());
  }

  @Test
  void nothingIsWrittenPastAMissingSegment() {
    float[][] mix = noise(2, 5000, 3);
    OverlapAdd joiner = new OverlapAdd(5000, L, 0.25, 4, 2);
    joiner.add(1, scaledStems(joiner.input(mix, 1), 4, 2));
    assertEquals(0, joiner.drainReady()[0][0].length);
    joiner.add(0, scaledStems(joiner.input(mix, 0), 4, 2));
    assertEquals(joiner.offset(2), joiner.drainReady()[0][0].length);
  }

  @Test
  void aSegmentOfTheWrongSizeOrTwiceIsRefused() {
    float[][] mix = noise(2, 5000, 3);
    OverlapAdd joiner = new OverlapAdd(5000, L, 0.25, 4, 2);
    assertThrows(IllegalArgumentException.class, () -> joiner.add(0, FloatBuffer.wrap(new float[10])));
    joiner.add(0, scaledStems(joiner.input(mix, 0), 4, 2));
    assertThrows(IllegalStateException.class, () -> joiner.add(0, scaledStems(joiner.input(mix, 0), 4, 2)));
    assertThrows(IllegalArgumentException.class, () -> new OverlapAdd(5000, L, 0.2, 4, 2));
  }
}
