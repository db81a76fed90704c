package io.songmap.inference.cpu.models;

import io.songmap.inference.cpu.CpuModel.TensorSpec;
import io.songmap.inference.cpu.HostTensor;
import java.util.Arrays;
import java.util.Map;

/** Checks a request tensor against the model's declared contract before any compute. */
final class Tensors {

  private Tensors() {}

  static TensorSpec fp32(String name, long... dims) {
    return new TensorSpec(name, "FP32", dims);
  }

  /** The input named by {@code spec}, batch-first, with the declared type and dims. */
  static HostTensor require(String model, Map<String, HostTensor> request, TensorSpec spec, int maxBatchSize) {
    HostTensor t = request.get(spec.name());
    if (t == null) {
      throw new IllegalArgumentException(model + ": missing input " + spec.name() + " (got " + request.keySet() + ")");
    }
    if (!spec.datatype().equals(t.datatype())) {
      throw new IllegalArgumentException(model + ": input " + spec.name() + " must be " + spec.datatype() + ", got " + t.datatype());
    }
    long[] shape = t.shape();
    long[] dims = spec.dims();
    boolean ok = shape.length == dims.length + 1 && shape[0] >= 1;
    for (int i = 0; ok && i < dims.length; i++) {
      ok = dims[i] == -1 ? shape[i + 1] >= 0 : shape[i + 1] == dims[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(model + ": input " + spec.name() + " must have shape [B," + join(dims) + "], got " + Arrays.toString(shape));
    }
    if (maxBatchSize > 0 && shape[0] > maxBatchSize) {
      throw new IllegalArgumentException(model + ": batch " + shape[0] + " exceeds max_batch_size " + maxBatchSize);
    }
    if (t.data().remaining() != t.elementCount() * 4) {
      throw new IllegalArgumentException(model + ": input " + spec.name() + " holds " + t.data().remaining() + " bytes, shape "
          + Arrays.toString(shape) + " needs " + t.elementCount() * 4);
    }
    return t;
  }

  private static String join(long[] dims) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      b.append(i == 0 ? "" : ",").append(dims[i]);
    }
    return b.toString();
  }
}
