package io.songmap.inference.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A tensor in host memory: KServe datatype, full shape (batch first) and raw little-endian contents,
 * exactly as it travels in {@code raw_input_contents} / {@code raw_output_contents}.
 */
public record HostTensor(String datatype, long[] shape, ByteBuffer data) {

  public HostTensor {
    data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** An FP32 tensor holding {@code values} (copied) with the given shape. */
  public static HostTensor fp32(long[] shape, float[] values) {
    long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (n != values.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
    }
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return new HostTensor("FP32", shape, buf);
  }

  /** The contents as floats (FP32 only); a view, not a copy. */
  public FloatBuffer floats() {
    if (!"FP32".equals(datatype)) {
      throw new IllegalStateException("tensor is " + datatype + ", not FP32");
    }
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  /** The contents copied into a float array (FP32 only). */
  public float[] toFloatArray() {
    FloatBuffer f = floats();
    float[] out = new float[f.remaining()];
    f.get(out);
    return out;
  }

  public long elementCount() {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }
}
