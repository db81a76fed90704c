package io.songmap.inference.cpu;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.Shapes;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TypedContents;
import io.songmap.inference.triton.v2.DataType;
import io.songmap.inference.triton.v2.InferParameter;
import io.songmap.inference.triton.v2.ModelConfig;
import io.songmap.inference.triton.v2.ModelDynamicBatching;
import io.songmap.inference.triton.v2.ModelInferRequest;
import io.songmap.inference.triton.v2.ModelInferResponse;
import io.songmap.inference.triton.v2.ModelInput;
import io.songmap.inference.triton.v2.ModelInstanceGroup;
import io.songmap.inference.triton.v2.ModelMetadataResponse;
import io.songmap.inference.triton.v2.ModelOutput;
import io.songmap.inference.triton.v2.ModelParameter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model as the server hosts it: its protocol views (metadata, config), request validation, and
 * the execution of a batch on a worker thread: concatenate along dim 0, run, split the outputs back
 * into one response per request.
 */
final class HostedModel {
  static final String PLATFORM = "songmap_cpu";
  private static final Logger log = LoggerFactory.getLogger(HostedModel.class);

  private final CpuModel model;
  private final CpuServerConfig config;
  private final ModelStats stats = new ModelStats();
  private final AtomicLong sequence = new AtomicLong();
  private final Optional<String> notReadyReason;
  private final List<CpuModel.TensorSpec> inputs;
  private final List<CpuModel.TensorSpec> outputs;
  private final int maxBatchSize;

  HostedModel(CpuModel model, CpuServerConfig config) {
    this.model = model;
    this.config = config;
    // Read once: a model's readiness and contract do not change while it is hosted.
    this.notReadyReason = model.notReadyReason();
    this.inputs = List.copyOf(model.inputs());
    this.outputs = List.copyOf(model.outputs());
    this.maxBatchSize = model.maxBatchSize();
  }

  String name() {
    return model.name();
  }

  String version() {
    return model.version();
  }

  int maxBatchSize() {
    return maxBatchSize;
  }

  Optional<String> notReadyReason() {
    return notReadyReason;
  }

  ModelStats stats() {
    return stats;
  }

  boolean batches() {
    return maxBatchSize > 0 && config.batching().enabled();
  }

  ModelMetadataResponse metadata() {
    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
        .setName(name())
        .addVersions(version())
        .setPlatform(PLATFORM);
    for (CpuModel.TensorSpec s : inputs) {
      b.addInputsBuilder().setName(s.name()).setDatatype(s.datatype()).addAllShape(boxed(fullDims(s)));
    }
    for (CpuModel.TensorSpec s : outputs) {
      b.addOutputsBuilder().setName(s.name()).setDatatype(s.datatype()).addAllShape(boxed(fullDims(s)));
    }
    return b.build();
  }

  ModelConfig modelConfig() {
    ModelConfig.Builder b = ModelConfig.newBuilder()
        .setName(name())
        .setPlatform(PLATFORM)
        .setBackend(PLATFORM)
        .setMaxBatchSize(maxBatchSize)
        .addInstanceGroup(ModelInstanceGroup.newBuilder()
            .setKind(ModelInstanceGroup.Kind.KIND_CPU)
            .setCount(config.instancesPerModel()));
    for (CpuModel.TensorSpec s : inputs) {
      b.addInput(ModelInput.newBuilder().setName(s.name()).setDataType(configType(s.datatype())).addAllDims(boxed(s.dims())));
    }
    for (CpuModel.TensorSpec s : outputs) {
      b.addOutput(ModelOutput.newBuilder().setName(s.name()).setDataType(configType(s.datatype())).addAllDims(boxed(s.dims())));
    }
    if (batches()) {
      b.setDynamicBatching(ModelDynamicBatching.newBuilder()
          .addAllPreferredBatchSize(config.batching().preferredBatchSizes())
          .setMaxQueueDelayMicroseconds(config.batching().maxQueueDelay().toNanos() / 1_000));
    }
    notReadyReason.ifPresent(r -> b.putParameters("not_ready_reason", ModelParameter.newBuilder().setStringValue(r).build()));
    return b.build();
  }

  /** Validates a request against the model's contract and turns it into a queue entry. */
  PendingRequest admit(ModelInferRequest request, ServerCallStreamObserver<ModelInferResponse> responder, long arrivalNanos)
      throws InvalidRequestException {
    String where = "model '" + name() + "'";
    if (request.getInputsCount() != inputs.size()) {
      throw InvalidRequestException.invalid(where + " expects " + inputs.size() + " inputs " + names(inputs)
          + ", got " + request.getInputsCount());
    }
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw InvalidRequestException.invalid(where + ": " + request.getInputsCount() + " inputs but "
          + request.getRawInputContentsCount() + " raw_input_contents");
    }
    Map<String, Integer> position = new LinkedHashMap<>();
    for (int i = 0; i < request.getInputsCount(); i++) {
      if (position.put(request.getInputs(i).getName(), i) != null) {
        throw InvalidRequestException.invalid(where + ": input '" + request.getInputs(i).getName() + "' given twice");
      }
    }
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    int batch = -1;
    for (CpuModel.TensorSpec spec : inputs) {
      Integer i = position.get(spec.name());
      if (i == null) {
        throw InvalidRequestException.invalid(where + ": missing input '" + spec.name() + "'; got " + position.keySet());
      }
      ModelInferRequest.InferInputTensor in = request.getInputs(i);
      if (!in.getDatatype().equals(spec.datatype())) {
        throw InvalidRequestException.invalid(where + ": input '" + spec.name() + "' must be " + spec.datatype()
            + ", got " + in.getDatatype());
      }
      long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
      long[] expected = fullDims(spec);
      boolean fits = maxBatchSize > 0
          ? shape.length == expected.length && Shapes.fits(java.util.Arrays.copyOfRange(expected, 1, expected.length),
              java.util.Arrays.copyOfRange(shape, 1, shape.length))
          : Shapes.fits(expected, shape);
      if (!fits || java.util.Arrays.stream(shape).anyMatch(d -> d < 0)) {
        throw InvalidRequestException.invalid(where + ": input '" + spec.name() + "' has shape " + Shapes.format(shape)
            + ", expected " + Shapes.format(expected));
      }
      int itemBatch = maxBatchSize > 0 ? (int) shape[0] : 1;
      if (maxBatchSize > 0 && (shape[0] < 1 || shape[0] > maxBatchSize)) {
        throw InvalidRequestException.invalid(where + ": batch size " + shape[0] + " of input '" + spec.name()
            + "' is outside 1.." + maxBatchSize);
      }
      if (batch != -1 && itemBatch != batch) {
        throw InvalidRequestException.invalid(where + ": inputs disagree on the batch size (" + batch + " and " + itemBatch + ")");
      }
      batch = itemBatch;
      Datatype type = Datatype.parse(spec.datatype());
      ByteBuffer data;
      try {
        data = raw ? request.getRawInputContents(i).asReadOnlyByteBuffer() : TypedContents.toRaw(type, in.getContents());
        // The client library's Tensor checks byte size and BYTES framing against the shape.
        new Tensor(spec.name(), type, shape, data);
      } catch (IllegalArgumentException e) {
        throw InvalidRequestException.invalid(where + ": " + e.getMessage());
      }
      tensors.put(spec.name(), new HostTensor(spec.datatype(), shape, data));
    }
    List<String> wanted = new ArrayList<>();
    for (ModelInferRequest.InferRequestedOutputTensor o : request.getOutputsList()) {
      if (outputs.stream().noneMatch(s -> s.name().equals(o.getName()))) {
        throw InvalidRequestException.invalid(where + " has no output '" + o.getName() + "'; outputs: " + names(outputs));
      }
      wanted.add(o.getName());
    }
    long priority = nonNegative(request.getParametersMap().get("priority"), "priority");
    long timeoutMicros = nonNegative(request.getParametersMap().get("timeout"), "timeout");
    return new PendingRequest(sequence.incrementAndGet(), request.getId(), tensors, batch, wanted, priority,
        timeoutMicros * 1_000, arrivalNanos, responder);
  }

  /** Runs one batch on the calling (worker) thread and answers every request in it. */
  void execute(List<PendingRequest> batch) {
    long start = System.nanoTime();
    int items = batch.stream().mapToInt(PendingRequest::batchSize).sum();
    for (PendingRequest p : batch) {
      stats.queued(start - p.arrivalNanos());
    }
    Map<String, HostTensor> result;
    long inputDone;
    long inferDone;
    try {
      Map<String, HostTensor> joined = batch.size() == 1 ? batch.get(0).inputs() : concat(batch, items);
      inputDone = System.nanoTime();
      result = model.infer(joined);
      inferDone = System.nanoTime();
      checkOutputs(result, items);
    } catch (Exception | LinkageError e) {
      log.error("model '{}' failed on a batch of {} items", name(), items, e);
      failAll(batch, Status.INTERNAL.withDescription("model '" + name() + "' failed: " + e).withCause(e));
      return;
    }
    int offset = 0;
    for (PendingRequest p : batch) {
      respond(p, slice(result, offset, p.batchSize(), items));
      offset += p.batchSize();
    }
    long outputDone = System.nanoTime();
    stats.executed(batch.size(), items, inputDone - start, inferDone - inputDone, outputDone - inferDone);
    for (PendingRequest p : batch) {
      stats.succeeded(outputDone - p.arrivalNanos());
    }
  }

  void fail(PendingRequest p, Status status) {
    stats.failed(System.nanoTime() - p.arrivalNanos());
    try {
      p.responder().onError(status.asRuntimeException());
    } catch (RuntimeException alreadyClosed) {
      // The call was cancelled or its deadline passed; there is nobody to tell.
    }
  }

  void failAll(List<PendingRequest> batch, Status status) {
    batch.forEach(p -> fail(p, status));
  }

  private Map<String, HostTensor> concat(List<PendingRequest> batch, int items) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (CpuModel.TensorSpec spec : inputs) {
      int bytes = 0;
      for (PendingRequest p : batch) {
        bytes += p.inputs().get(spec.name()).data().remaining();
      }
      ByteBuffer joined = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (PendingRequest p : batch) {
        joined.put(p.inputs().get(spec.name()).data().duplicate());
      }
      joined.flip();
      long[] shape = batch.get(0).inputs().get(spec.name()).shape().clone();
      shape[0] = items;
      out.put(spec.name(), new HostTensor(spec.datatype(), shape, joined));
    }
    return out;
  }

  private void checkOutputs(Map<String, HostTensor> result, int items) {
    for (CpuModel.TensorSpec spec : outputs) {
      HostTensor t = result.get(spec.name());
      if (t == null) {
        throw new IllegalStateException("returned no output '" + spec.name() + "'");
      }
      if (!t.datatype().equals(spec.datatype())) {
        throw new IllegalStateException("returned output '" + spec.name() + "' as " + t.datatype() + ", declared " + spec.datatype());
      }
      if (maxBatchSize > 0 && (t.shape().length == 0 || t.shape()[0] != items)) {
        throw new IllegalStateException("returned output '" + spec.name() + "' with shape " + Shapes.format(t.shape())
            + " for a batch of " + items);
      }
      // Validates byte size / BYTES framing against the shape.
      new Tensor(spec.name(), Datatype.parse(t.datatype()), t.shape(), t.data());
    }
  }

  /** The part of every output belonging to items {@code [offset, offset + count)}; views, not copies. */
  private Map<String, HostTensor> slice(Map<String, HostTensor> result, int offset, int count, int items) {
    if (maxBatchSize == 0 || (offset == 0 && count == items)) {
      return result;
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (CpuModel.TensorSpec spec : outputs) {
      HostTensor t = result.get(spec.name());
      long[] shape = t.shape().clone();
      shape[0] = count;
      ByteBuffer data = t.data().duplicate();
      Datatype type = Datatype.parse(t.datatype());
      if (type.fixedSize()) {
        int perItem = data.remaining() / items;
        data.position(data.position() + offset * perItem).limit(data.position() + count * perItem);
      } else {
        long perItem = t.elementCount() / items;
        int from = skipBytesElements(data, data.position(), offset * perItem);
        int to = skipBytesElements(data, from, count * perItem);
        data.position(from).limit(to);
      }
      out.put(spec.name(), new HostTensor(t.datatype(), shape, data.slice()));
    }
    return out;
  }

  private static int skipBytesElements(ByteBuffer b, int position, long elements) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = position;
    for (long i = 0; i < elements; i++) {
      p += 4 + le.getInt(p);
    }
    return p;
  }

  private void respond(PendingRequest p, Map<String, HostTensor> outs) {
    ModelInferResponse.Builder r = ModelInferResponse.newBuilder()
        .setModelName(name())
        .setModelVersion(version())
        .setId(p.id());
    List<String> names = p.requestedOutputs().isEmpty() ? names(outputs) : p.requestedOutputs();
    for (String n : names) {
      HostTensor t = outs.get(n);
      ModelInferResponse.InferOutputTensor.Builder o = r.addOutputsBuilder().setName(n).setDatatype(t.datatype());
      for (long d : t.shape()) {
        o.addShape(d);
      }
      // Model outputs are not touched after the call, so the slices can back the message.
      ByteString contents = UnsafeByteOperations.unsafeWrap(t.data().duplicate());
      r.addRawOutputContents(contents);
    }
    try {
      p.responder().onNext(r.build());
      p.responder().onCompleted();
    } catch (RuntimeException cancelled) {
      // The client went away (deadline or cancel) while the batch ran.
    }
  }

  private long[] fullDims(CpuModel.TensorSpec s) {
    return maxBatchSize > 0 ? Shapes.withBatchDim(s.dims()) : s.dims().clone();
  }

  private static DataType configType(String datatype) {
    return DataType.valueOf(Datatype.parse(datatype).configName());
  }

  private static List<Long> boxed(long[] dims) {
    return java.util.Arrays.stream(dims).boxed().toList();
  }

  private static List<String> names(List<CpuModel.TensorSpec> specs) {
    return specs.stream().map(CpuModel.TensorSpec::name).toList();
  }

  private static long nonNegative(InferParameter p, String name) throws InvalidRequestException {
    if (p == null) {
      return 0;
    }
    long v = switch (p.getParameterChoiceCase()) {
      case INT64_PARAM -> p.getInt64Param();
      case UINT64_PARAM -> p.getUint64Param();
      default -> throw InvalidRequestException.invalid("parameter '" + name + "' must be int64_param or uint64_param");
    };
    if (v < 0) {
      throw InvalidRequestException.invalid("parameter '" + name + "' must be >= 0, got " + v);
    }
    return v;
  }

  static Set<String> uniqueNames(List<CpuModel> models) {
    Set<String> seen = new HashSet<>();
    for (CpuModel m : models) {
      if (!seen.add(m.name())) {
        throw new IllegalArgumentException("two models are named '" + m.name() + "'");
      }
    }
    return seen;
  }
}
