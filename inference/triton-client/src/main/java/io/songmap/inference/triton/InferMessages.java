package io.songmap.inference.triton;

import com.google.protobuf.UnsafeByteOperations;
import io.songmap.inference.triton.v2.InferParameter;
import io.songmap.inference.triton.v2.ModelInferRequest;
import io.songmap.inference.triton.v2.ModelInferResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds protocol messages from {@link InferRequest}s and reads {@link InferResult}s back, without copying tensor bytes. */
public final class InferMessages {
  private InferMessages() {}

  /** Triton's request parameter names. */
  public static final String PRIORITY = "priority";
  public static final String TIMEOUT = "timeout";

  public static ModelInferRequest toProto(InferRequest request) {
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder()
        .setModelName(request.model())
        .setModelVersion(request.version())
        .setId(request.id());
    if (request.priority() > 0) {
      b.putParameters(PRIORITY, InferParameter.newBuilder().setInt64Param(request.priority()).build());
    }
    request.timeout().ifPresent(t -> b.putParameters(TIMEOUT,
        InferParameter.newBuilder().setInt64Param(Math.max(1, t.toNanos() / 1_000)).build()));
    for (Tensor t : request.inputs()) {
      ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder()
          .setName(t.name())
          .setDatatype(t.datatype().name());
      for (long d : t.shape()) {
        in.addShape(d);
      }
      // The buffer is never written after the request is built, so it can back the ByteString.
      b.addRawInputContents(UnsafeByteOperations.unsafeWrap(t.littleEndianBytes()));
    }
    for (String name : request.outputs()) {
      b.addOutputsBuilder().setName(name);
    }
    return b.build();
  }

  /** Reads the outputs of a response; raw contents are viewed in place, typed contents converted. */
  public static InferResult fromProto(ModelInferResponse response) {
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    boolean raw = response.getRawOutputContentsCount() > 0;
    if (raw && response.getRawOutputContentsCount() != response.getOutputsCount()) {
      throw new IllegalArgumentException("response from '" + response.getModelName() + "' has "
          + response.getOutputsCount() + " outputs but " + response.getRawOutputContentsCount() + " raw contents");
    }
    for (int i = 0; i < response.getOutputsCount(); i++) {
      ModelInferResponse.InferOutputTensor o = response.getOutputs(i);
      Datatype type = Datatype.parse(o.getDatatype());
      long[] shape = o.getShapeList().stream().mapToLong(Long::longValue).toArray();
      var data = raw ? response.getRawOutputContents(i).asReadOnlyByteBuffer() : TypedContents.toRaw(type, o.getContents());
      outputs.put(o.getName(), new Tensor(o.getName(), type, shape, data));
    }
    return new InferResult(response.getModelName(), response.getModelVersion(), response.getId(), outputs);
  }
}
