package io.songmap.inference.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Small models with known answers, one per protocol feature under test. */
final class TestModels {
  private TestModels() {}

  static CpuModel.TensorSpec spec(String name, String type, long... dims) {
    return new CpuModel.TensorSpec(name, type, dims);
  }

  /** {@code add}: SUM = A + B, DIFF = A - B over FP32 [4]; remembers every batch size it ran. */
  static final class Add implements CpuModel {
    final ConcurrentLinkedQueue<Long> batchSizes = new ConcurrentLinkedQueue<>();

    @Override public String name() { return "add"; }
    @Override public String version() { return "1"; }
    @Override public int maxBatchSize() { return 8; }
    @Override public List<TensorSpec> inputs() { return List.of(spec("A", "FP32", 4), spec("B", "FP32", 4)); }
    @Override public List<TensorSpec> outputs() { return List.of(spec("SUM", "FP32", 4), spec("DIFF", "FP32", 4)); }
    @Override public Optional<String> notReadyReason() { return Optional.empty(); }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> in) {
      HostTensor a = in.get("A");
      batchSizes.add(a.shape()[0]);
      float[] x = a.toFloatArray();
      float[] y = in.get("B").toFloatArray();
      float[] sum = new float[x.length];
      float[] diff = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        sum[i] = x[i] + y[i];
        diff[i] = x[i] - y[i];
      }
      return Map.of("SUM", HostTensor.fp32(a.shape(), sum), "DIFF", HostTensor.fp32(a.shape(), diff));
    }
  }

  /**
   * {@code types}: I32 [2] -> I32_OUT = I32 + 1; I64 [2] -> I64_OUT = I64 * 2; H [3] (FP16) echoed;
   * S [2] (BYTES) -> S_OUT with each element reversed.
   */
  static final class Types implements CpuModel {
    @Override public String name() { return "types"; }
    @Override public String version() { return "1"; }
    @Override public int maxBatchSize() { return 4; }
    @Override public List<TensorSpec> inputs() {
      return List.of(spec("I32", "INT32", 2), spec("I64", "INT64", 2), spec("H", "FP16", 3), spec("S", "BYTES", 2));
    }
    @Override public List<TensorSpec> outputs() {
      return List.of(spec("I32_OUT", "INT32", 2), spec("I64_OUT", "INT64", 2), spec("H_OUT", "FP16", 3), spec("S_OUT", "BYTES", 2));
    }
    @Override public Optional<String> notReadyReason() { return Optional.empty(); }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> in) {
      HostTensor i32 = in.get("I32");
      ByteBuffer i32Out = le(i32.data().remaining());
      ByteBuffer src = i32.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      while (src.hasRemaining()) {
        i32Out.putInt(src.getInt() + 1);
      }
      HostTensor i64 = in.get("I64");
      ByteBuffer i64Out = le(i64.data().remaining());
      src = i64.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      while (src.hasRemaining()) {
        i64Out.putLong(src.getLong() * 2);
      }
      HostTensor s = in.get("S");
      ByteBuffer sOut = le(s.data().remaining());
      src = s.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      while (src.hasRemaining()) {
        byte[] e = new byte[src.getInt()];
        src.get(e);
        sOut.putInt(e.length);
        for (int i = e.length - 1; i >= 0; i--) {
          sOut.put(e[i]);
        }
      }
      HostTensor h = in.get("H");
      return Map.of(
          "I32_OUT", new HostTensor("INT32", i32.shape(), i32Out.flip()),
          "I64_OUT", new HostTensor("INT64", i64.shape(), i64Out.flip()),
          "H_OUT", new HostTensor("FP16", h.shape(), h.data()),
          "S_OUT", new HostTensor("BYTES", s.shape(), sOut.flip()));
    }
  }

  /** {@code large}: V [1] -> OUT [2_000_000] filled with V (8 MB per item, beyond gRPC's 4 MiB default). */
  static final class Large implements CpuModel {
    static final int N = 2_000_000;

    @Override public String name() { return "large"; }
    @Override public String version() { return "1"; }
    @Override public int maxBatchSize() { return 2; }
    @Override public List<TensorSpec> inputs() { return List.of(spec("V", "FP32", 1)); }
    @Override public List<TensorSpec> outputs() { return List.of(spec("OUT", "FP32", N)); }
    @Override public Optional<String> notReadyReason() { return Optional.empty(); }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> in) {
      float[] v = in.get("V").toFloatArray();
      ByteBuffer out = le(v.length * N * 4);
      FloatBuffer f = out.asFloatBuffer();
      for (float x : v) {
        for (int i = 0; i < N; i++) {
          f.put(x);
        }
      }
      return Map.of("OUT", new HostTensor("FP32", new long[] {v.length, N}, out));
    }
  }

  /** {@code slow}: MS [1] (INT32) -> same, after sleeping that many milliseconds. Does not batch. */
  static final class Slow implements CpuModel {
    @Override public String name() { return "slow"; }
    @Override public String version() { return "1"; }
    @Override public int maxBatchSize() { return 0; }
    @Override public List<TensorSpec> inputs() { return List.of(spec("MS", "INT32", 1)); }
    @Override public List<TensorSpec> outputs() { return List.of(spec("MS_OUT", "INT32", 1)); }
    @Override public Optional<String> notReadyReason() { return Optional.empty(); }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> in) throws InterruptedException {
      HostTensor ms = in.get("MS");
      Thread.sleep(ms.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0));
      return Map.of("MS_OUT", new HostTensor("INT32", ms.shape(), ms.data()));
    }
  }

  /** {@code gpu_only}: a model this machine cannot run; it must never produce output. */
  static final class GpuOnly implements CpuModel {
    static final String REASON = "needs a CUDA GPU, none present";

    @Override public String name() { return "gpu_only"; }
    @Override public String version() { return "1"; }
    @Override public int maxBatchSize() { return 4; }
    @Override public List<TensorSpec> inputs() { return List.of(spec("X", "FP32", -1)); }
    @Override public List<TensorSpec> outputs() { return List.of(spec("Y", "BYTES", 1)); }
    @Override public Optional<String> notReadyReason() { return Optional.of(REASON); }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> in) {
      throw new AssertionError("a model that is not ready must never be called");
    }
  }

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
