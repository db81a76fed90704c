package io.songmap.inference.cpu.models;

import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code htdemucs} on CPU: the contract of HT-Demucs served by {@link SpectralSeparator}. Input
 * {@code mix} FP32 [B,2,343980], a 7.8 s segment of 44.1 kHz stereo; output {@code stems} FP32
 * [B,4,2,343980] in the order drums, bass, other, vocals. The stems sum back to the mix.
 */
public final class HtdemucsDspModel implements CpuModel {

  public static final String NAME = "htdemucs";
  public static final String INPUT = "mix";
  public static final String OUTPUT = "stems";
  public static final int SEGMENT_SAMPLES = 343_980;
  public static final int SAMPLE_RATE = 44_100;
  public static final int MAX_BATCH_SIZE = 8;

  private final SpectralSeparator separator;

  public HtdemucsDspModel() {
    this(new SpectralSeparator());
  }

  public HtdemucsDspModel(SpectralSeparator separator) {
    this.separator = separator;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public int maxBatchSize() {
    return MAX_BATCH_SIZE;
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(Tensors.fp32(INPUT, 2, SEGMENT_SAMPLES));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(Tensors.fp32(OUTPUT, 4, 2, SEGMENT_SAMPLES));
  }

  @Override
  public Optional<String> notReadyReason() {
    return Optional.empty();
  }

  @Override
  public Map<String, HostTensor> infer(Map<String, HostTensor> request) {
    HostTensor mix = Tensors.require(NAME, request, inputs().get(0), MAX_BATCH_SIZE);
    int batch = (int) mix.shape()[0];
    int n = SEGMENT_SAMPLES;
    FloatBuffer in = mix.floats();
    ByteBuffer out = ByteBuffer.allocate(batch * 4 * 2 * n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer stems = out.asFloatBuffer();
    float[] left = new float[n];
    float[] right = new float[n];
    for (int b = 0; b < batch; b++) {
      in.get(left);
      in.get(right);
      requireFinite(left, b);
      requireFinite(right, b);
      float[][][] s = separator.separate(left, right, SAMPLE_RATE);
      for (int stem = 0; stem < 4; stem++) {
        stems.put(s[stem][0]);
        stems.put(s[stem][1]);
      }
    }
    return Map.of(OUTPUT, new HostTensor("FP32", new long[] {batch, 4, 2, n}, out));
  }

  private static void requireFinite(float[] x, int item) {
    for (float v : x) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(NAME + ": item " + item + " of mix holds a non-finite sample");
      }
    }
  }
}
