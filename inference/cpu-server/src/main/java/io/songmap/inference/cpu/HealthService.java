package io.songmap.inference.cpu;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.songmap.inference.triton.health.v1.HealthCheckRequest;
import io.songmap.inference.triton.health.v1.HealthCheckResponse;
import io.songmap.inference.triton.health.v1.HealthCheckResponse.ServingStatus;
import io.songmap.inference.triton.health.v1.HealthGrpc;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code grpc.health.v1.Health}: the empty service name and {@code inference.GRPCInferenceService}
 * are SERVING while the server is ready; a model name is SERVING when that model is ready.
 */
final class HealthService extends HealthGrpc.HealthImplBase {
  private final Map<String, HostedModel> models;
  private final BooleanSupplier ready;

  HealthService(Map<String, HostedModel> models, BooleanSupplier ready) {
    this.models = models;
    this.ready = ready;
  }

  @Override
  public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
    ServingStatus status = status(request.getService());
    if (status == null) {
      out.onError(Status.NOT_FOUND.withDescription("unknown service '" + request.getService() + "'").asRuntimeException());
      return;
    }
    out.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
    out.onCompleted();
  }

  /** Sends the current status once and keeps the stream open; statuses only change at shutdown. */
  @Override
  public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
    ServingStatus status = status(request.getService());
    out.onNext(HealthCheckResponse.newBuilder().setStatus(status == null ? ServingStatus.SERVICE_UNKNOWN : status).build());
  }

  private ServingStatus status(String service) {
    if (service.isEmpty() || service.equals("inference.GRPCInferenceService")) {
      return ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }
    HostedModel m = models.get(service);
    if (m == null) {
      return null;
    }
    return ready.getAsBoolean() && m.notReadyReason().isEmpty() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }
}
