package io.songmap.inference.cpu.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model of the Triton repository run by ONNX Runtime from the same {@code model.onnx}, which the
 * build copies into the jar under {@code triton-models/<name>/<version>/model.onnx}. All tensors are
 * FP32. A model file that cannot be loaded makes the model NOT READY with the cause, instead of
 * failing the server.
 */
public abstract class OnnxCpuModel implements CpuModel {

  private final String name;
  private final String version;
  private final int maxBatchSize;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final OrtSession session;
  private final String notReadyReason;

  /**
   * @param intraOpThreads threads ONNX Runtime may use inside one call; the server parallelises
   *     across calls, so 1 keeps a batch from competing with its neighbours for the cores
   */
  protected OnnxCpuModel(String name, String version, int maxBatchSize, List<TensorSpec> inputs,
      List<TensorSpec> outputs, int intraOpThreads) {
    this.name = name;
    this.version = version;
    this.maxBatchSize = maxBatchSize;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    String resource = resourcePath(name, version);
    OrtSession created = null;
    String reason = null;
    try {
      created = open(resource, intraOpThreads);
      checkContract(created);
    } catch (IOException | OrtException | IllegalStateException e) {
      reason = "cannot load " + resource + ": " + e.getMessage();
      if (created != null) {
        closeQuietly(created);
        created = null;
      }
    }
    this.session = created;
    this.notReadyReason = reason;
  }

  /** Where the build puts a model's ONNX file on the classpath. */
  public static String resourcePath(String name, String version) {
    return "triton-models/" + name + "/" + version + "/model.onnx";
  }

  private static OrtSession open(String resource, int intraOpThreads) throws IOException, OrtException {
    byte[] bytes;
    try (InputStream in = OnnxCpuModel.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("not on the classpath");
      }
      bytes = in.readAllBytes();
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return OrtEnvironment.getEnvironment().createSession(bytes, options);
    }
  }

  /** The ONNX file must declare the tensor names this contract serves. */
  private void checkContract(OrtSession s) throws OrtException {
    for (TensorSpec in : inputs) {
      if (!s.getInputNames().contains(in.name())) {
        throw new IllegalStateException("the ONNX graph has no input " + in.name() + " (it has " + s.getInputNames() + ")");
      }
    }
    for (TensorSpec out : outputs) {
      if (!s.getOutputNames().contains(out.name())) {
        throw new IllegalStateException("the ONNX graph has no output " + out.name() + " (it has " + s.getOutputNames() + ")");
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public Optional<String> notReadyReason() {
    return Optional.ofNullable(notReadyReason);
  }

  @Override
  public Map<String, HostTensor> infer(Map<String, HostTensor> request) throws OrtException {
    if (session == null) {
      throw new IllegalStateException(name + " is not ready: " + notReadyReason);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      long batch = -1;
      for (TensorSpec spec : inputs) {
        HostTensor t = Tensors.require(name, request, spec, maxBatchSize);
        if (batch >= 0 && t.shape()[0] != batch) {
          throw new IllegalArgumentException(name + ": inputs disagree on the batch size");
        }
        batch = t.shape()[0];
        feeds.put(spec.name(), OnnxTensor.createTensor(env, t.floats(), t.shape()));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : outputs) {
          OnnxValue value = result.get(spec.name()).orElseThrow();
          OnnxTensor tensor = (OnnxTensor) value;
          out.put(spec.name(), toHost(tensor));
        }
        return out;
      }
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private static HostTensor toHost(OnnxTensor tensor) {
    long[] shape = tensor.getInfo().getShape();
    FloatBuffer values = tensor.getFloatBuffer();
    ByteBuffer bytes = ByteBuffer.allocate(values.remaining() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new HostTensor("FP32", shape, bytes);
  }

  @Override
  public void close() throws OrtException {
    if (session != null) {
      session.close();
    }
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException ignored) {
      // already failing with the load error
    }
  }
}
