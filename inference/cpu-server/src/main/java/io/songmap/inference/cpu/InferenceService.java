package io.songmap.inference.cpu;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.songmap.inference.triton.v2.GRPCInferenceServiceGrpc;
import io.songmap.inference.triton.v2.ModelConfigRequest;
import io.songmap.inference.triton.v2.ModelConfigResponse;
import io.songmap.inference.triton.v2.ModelInferRequest;
import io.songmap.inference.triton.v2.ModelInferResponse;
import io.songmap.inference.triton.v2.ModelMetadataRequest;
import io.songmap.inference.triton.v2.ModelMetadataResponse;
import io.songmap.inference.triton.v2.ModelReadyRequest;
import io.songmap.inference.triton.v2.ModelReadyResponse;
import io.songmap.inference.triton.v2.ModelStatisticsRequest;
import io.songmap.inference.triton.v2.ModelStatisticsResponse;
import io.songmap.inference.triton.v2.RepositoryIndexRequest;
import io.songmap.inference.triton.v2.RepositoryIndexResponse;
import io.songmap.inference.triton.v2.ServerLiveRequest;
import io.songmap.inference.triton.v2.ServerLiveResponse;
import io.songmap.inference.triton.v2.ServerMetadataRequest;
import io.songmap.inference.triton.v2.ServerMetadataResponse;
import io.songmap.inference.triton.v2.ServerReadyRequest;
import io.songmap.inference.triton.v2.ServerReadyResponse;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code inference.GRPCInferenceService} over the hosted models. Handlers only validate and
 * enqueue; model code runs on the worker pool. Error codes follow Triton's where it has one: an
 * unknown model is NOT_FOUND, a model that is not ready FAILED_PRECONDITION with the reason (not
 * retryable: waiting does not make it ready), a full queue RESOURCE_EXHAUSTED.
 */
final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  static final String SERVER_NAME = "songmap-cpu-server";
  static final String SERVER_VERSION = "0.1.0";

  private final Map<String, HostedModel> models;
  private final Map<String, DynamicBatcher> batchers;
  private final BooleanSupplier ready;

  InferenceService(Map<String, HostedModel> models, Map<String, DynamicBatcher> batchers, BooleanSupplier ready) {
    this.models = models;
    this.batchers = batchers;
    this.ready = ready;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    reply(out, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    reply(out, ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    reply(out, ServerMetadataResponse.newBuilder()
        .setName(SERVER_NAME)
        .setVersion(SERVER_VERSION)
        .addExtensions("model_configuration")
        .addExtensions("statistics")
        .build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    HostedModel m = models.get(request.getName());
    boolean isReady = m != null && versionMatches(m, request.getVersion()) && m.notReadyReason().isEmpty() && ready.getAsBoolean();
    reply(out, ModelReadyResponse.newBuilder().setReady(isReady).build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    HostedModel m = find(request.getName(), request.getVersion(), out);
    if (m != null) {
      reply(out, m.metadata());
    }
  }

  @Override
  public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
    HostedModel m = find(request.getName(), request.getVersion(), out);
    if (m != null) {
      reply(out, ModelConfigResponse.newBuilder().setConfig(m.modelConfig()).build());
    }
  }

  @Override
  public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
    ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
    if (request.getName().isEmpty()) {
      models.values().forEach(m -> b.addModelStats(m.stats().toProto(m.name(), m.version())));
    } else {
      HostedModel m = find(request.getName(), request.getVersion(), out);
      if (m == null) {
        return;
      }
      b.addModelStats(m.stats().toProto(m.name(), m.version()));
    }
    reply(out, b.build());
  }

  @Override
  public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    for (HostedModel m : models.values()) {
      if (request.getReady() && m.notReadyReason().isPresent()) {
        continue;
      }
      b.addModelsBuilder()
          .setName(m.name())
          .setVersion(m.version())
          .setState(m.notReadyReason().isPresent() ? "UNAVAILABLE" : "READY")
          .setReason(m.notReadyReason().orElse(""));
    }
    reply(out, b.build());
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    long arrival = System.nanoTime();
    ServerCallStreamObserver<ModelInferResponse> responder = (ServerCallStreamObserver<ModelInferResponse>) out;
    // Without a handler, answering a call the client already cancelled throws.
    responder.setOnCancelHandler(() -> {});
    HostedModel m = find(request.getModelName(), request.getModelVersion(), out);
    if (m == null) {
      return;
    }
    if (m.notReadyReason().isPresent()) {
      out.onError(Status.FAILED_PRECONDITION
          .withDescription("model '" + m.name() + "' is not ready: " + m.notReadyReason().get())
          .asRuntimeException());
      return;
    }
    PendingRequest pending;
    try {
      pending = m.admit(request, responder, arrival);
    } catch (InvalidRequestException e) {
      out.onError(e.status().asRuntimeException());
      return;
    }
    batchers.get(m.name()).submit(pending);
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<io.songmap.inference.triton.v2.ModelStreamInferResponse> out) {
    out.onError(Status.UNIMPLEMENTED.withDescription("streaming inference is not served; use ModelInfer").asRuntimeException());
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferRequest value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private HostedModel find(String name, String version, StreamObserver<?> out) {
    HostedModel m = models.get(name);
    if (m == null) {
      out.onError(Status.NOT_FOUND
          .withDescription("Request for unknown model: '" + name + "' is not found; this server hosts " + models.keySet())
          .asRuntimeException());
      return null;
    }
    if (!versionMatches(m, version)) {
      out.onError(Status.NOT_FOUND
          .withDescription("Request for unknown model: '" + name + "' version " + version + " is not found; it serves version " + m.version())
          .asRuntimeException());
      return null;
    }
    return m;
  }

  private static boolean versionMatches(HostedModel m, String version) {
    return version.isEmpty() || version.equals(m.version());
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    out.onNext(value);
    out.onCompleted();
  }
}
