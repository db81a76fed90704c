package io.songmap.inference.triton;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Per-model client metrics: {@code songmap.inference.client.calls} (a timer of whole calls,
 * retries included, tagged model, rpc and outcome) and {@code songmap.inference.client.retries}.
 */
final class ClientMetrics {
  private final MeterRegistry registry;

  ClientMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void completed(String model, MethodDescriptor<?, ?> method, Status.Code outcome, long nanos) {
    Timer.builder("songmap.inference.client.calls")
        .description("Inference server calls, retries included")
        .tag("model", model.isEmpty() ? "-" : model)
        .tag("rpc", method.getBareMethodName())
        .tag("outcome", outcome.name())
        .publishPercentileHistogram(false)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void retried(String model, MethodDescriptor<?, ?> method, Status.Code cause) {
    Counter.builder("songmap.inference.client.retries")
        .description("Attempts retried after UNAVAILABLE or RESOURCE_EXHAUSTED")
        .tag("model", model.isEmpty() ? "-" : model)
        .tag("rpc", method.getBareMethodName())
        .tag("cause", cause.name())
        .register(registry)
        .increment();
  }
}
