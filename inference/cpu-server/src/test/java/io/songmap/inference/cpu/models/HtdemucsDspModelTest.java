package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.inference.cpu.HostTensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HtdemucsDspModelTest {

  private static final int N = HtdemucsDspModel.SEGMENT_SAMPLES;
  private static SyntheticSong song;
  private static float[] stems;
  private static long cpuNanos;

  /** One 7.8 s segment of the synthetic song, separated once for all the checks. */
  @BeforeAll
  static void separate() {
    song = new SyntheticSong(N, 120, 7);
    HtdemucsDspModel model = new HtdemucsDspModel();
    HostTensor mix = HostTensor.fp32(new long[] {1, 2, N}, interleave(song.mix));
    model.infer(Map.of(HtdemucsDspModel.INPUT, mix)); // warm-up
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadCpuTime();
    HostTensor out = model.infer(Map.of(HtdemucsDspModel.INPUT, mix)).get(HtdemucsDspModel.OUTPUT);
    cpuNanos = threads.getCurrentThreadCpuTime() - before;
    assertThat(out.shape()).containsExactly(1, 4, 2, N);
    stems = out.toFloatArray();
  }

  @Test
  void theFourStemsSumBackToTheMix() {
    double maxError = 0;
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < N; i++) {
        double sum = 0;
        for (int s = 0; s < 4; s++) {
          sum += stems[(s * 2 + c) * N + i];
        }
        maxError = Math.max(maxError, Math.abs(sum - song.mix[c][i]));
      }
    }
    assertThat(maxError).isLessThan(1e-4);
  }

  @Test
  void theDrumLoopLandsMostlyInTheDrumsStem() {
    float[][] drums = stem(SpectralSeparator.DRUMS);
    float[][] bass = stem(SpectralSeparator.BASS);
    float[][] melody = SyntheticSong.sum(stem(SpectralSeparator.OTHER), stem(SpectralSeparator.VOCALS));
    double drumsSdr = SyntheticSong.sdr(song.drums, drums);
    System.out.printf("htdemucs (DSP): SDR drums %.2f dB, bass %.2f dB, melody (other + vocals) %.2f dB; "
            + "the mix itself as the drums estimate: %.2f dB; %.0f ms CPU for a 7.8 s segment%n",
        drumsSdr, SyntheticSong.sdr(song.bass, bass), SyntheticSong.sdr(song.melody, melody),
        SyntheticSong.sdr(song.drums, song.mix), cpuNanos / 1e6);

    assertThat(drumsSdr).isGreaterThan(5);
    // the drums stem is far closer to the drum loop than to anything else in the mix
    assertThat(SyntheticSong.sdr(song.drums, drums)).isGreaterThan(SyntheticSong.sdr(song.drums, song.mix) + 6);
    assertThat(energy(song.drums, drums)).isGreaterThan(0.5 * energy(song.drums, song.drums));
  }

  @Test
  void aSegmentTakesWellUnderASecondOfOneCore() {
    assertThat(cpuNanos / 1e9).isLessThan(2.0);
  }

  @Test
  void itemsOfABatchAreSeparatedIndependently() {
    SyntheticSong other = new SyntheticSong(N, 96, 11);
    float[] both = new float[2 * 2 * N];
    System.arraycopy(interleave(other.mix), 0, both, 0, 2 * N);
    System.arraycopy(interleave(song.mix), 0, both, 2 * N, 2 * N);
    float[] out = new HtdemucsDspModel().infer(Map.of(HtdemucsDspModel.INPUT, HostTensor.fp32(new long[] {2, 2, N}, both)))
        .get(HtdemucsDspModel.OUTPUT).toFloatArray();
    // the same input gives the same stems whatever its neighbour in the batch (up to the last bit
    // of Math.pow, which may differ between interpreted and compiled code)
    double maxDifference = 0;
    for (int i = 0; i < 8 * N; i++) {
      maxDifference = Math.max(maxDifference, Math.abs(out[8 * N + i] - stems[i]));
    }
    assertThat(maxDifference).isLessThan(1e-5);
  }

  @Test
  void rejectsAWrongLengthAndNonFiniteSamples() {
    HtdemucsDspModel model = new HtdemucsDspModel();
    assertThatThrownBy(() -> model.infer(Map.of(HtdemucsDspModel.INPUT, HostTensor.fp32(new long[] {1, 2, 1000}, new float[2000]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B,2,343980]");
    float[] mix = new float[2 * N];
    mix[12345] = Float.NaN;
    assertThatThrownBy(() -> model.infer(Map.of(HtdemucsDspModel.INPUT, HostTensor.fp32(new long[] {1, 2, N}, mix))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
  }

  /** Cross-correlation energy: how much of {@code reference} the estimate carries, in phase. */
  private static double energy(float[][] reference, float[][] estimate) {
    double e = 0;
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < N; i++) {
        e += (double) reference[c][i] * estimate[c][i];
      }
    }
    return e;
  }

  private static float[][] stem(int index) {
    float[][] s = new float[2][N];
    for (int c = 0; c < 2; c++) {
      System.arraycopy(stems, (index * 2 + c) * N, s[c], 0, N);
    }
    return s;
  }

  private static float[] interleave(float[][] channels) {
    float[] out = new float[2 * N];
    System.arraycopy(channels[0], 0, out, 0, N);
    System.arraycopy(channels[1], 0, out, N, N);
    return out;
  }
}
