package io.songmap.inference.triton;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.songmap.inference.triton.health.v1.HealthCheckRequest;
import io.songmap.inference.triton.health.v1.HealthCheckResponse;
import io.songmap.inference.triton.health.v1.HealthGrpc;
import io.songmap.inference.triton.v2.GRPCInferenceServiceGrpc;
import io.songmap.inference.triton.v2.ModelConfig;
import io.songmap.inference.triton.v2.ModelConfigRequest;
import io.songmap.inference.triton.v2.ModelConfigResponse;
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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An asynchronous KServe v2 / Triton gRPC client. Every call has a deadline (the request's, or the
 * config's), is retried with exponential backoff on UNAVAILABLE and RESOURCE_EXHAUSTED only, and
 * completes its Future on the caller's Vert.x context when it was made on one. Tensors travel as raw
 * little-endian contents without being copied into the message.
 *
 * <pre>{@code
 * TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:8001"));
 * client.infer(InferRequest.of("drum_cnn", Tensor.fp32("input", new long[] {n, 128, 18, 1}, mel)))
 *     .map(result -> result.output("probabilities").toFloatArray());
 * }</pre>
 */
public final class TritonClient implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TritonClientConfig config;
  private final ManagedChannel managedChannel;
  private final Channel channel;
  private final ScheduledExecutorService retryTimer;
  private final ClientMetrics metrics;

  private TritonClient(TritonClientConfig config, MeterRegistry registry) {
    this.config = config;
    this.managedChannel = Grpc.newChannelBuilder(config.target(), credentials(config))
        .maxInboundMessageSize(config.maxInboundMessageBytes())
        // Retries are ours: gRPC's own retry buffers at most 16 MiB per call, far below a batch of audio.
        .disableRetry()
        .build();
    this.channel = config.bearerToken()
        .map(token -> ClientInterceptors.intercept(managedChannel, bearer(token)))
        .orElse(managedChannel);
    this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "triton-client-retry");
      t.setDaemon(true);
      return t;
    });
    this.metrics = new ClientMetrics(registry);
  }

  /** A client reporting metrics to Micrometer's global registry. */
  public static TritonClient create(TritonClientConfig config) {
    return new TritonClient(config, Metrics.globalRegistry);
  }

  public static TritonClient create(TritonClientConfig config, MeterRegistry registry) {
    return new TritonClient(config, registry);
  }

  public TritonClientConfig config() {
    return config;
  }

  /** Runs one inference; the result's tensors are views of the response message. */
  public Future<InferResult> infer(InferRequest request) {
    Duration deadline = request.deadline().orElse(config.deadline());
    return call(request.model(), GRPCInferenceServiceGrpc.getModelInferMethod(), InferMessages.toProto(request),
        deadline, InferMessages::fromProto);
  }

  public Future<Boolean> serverLive() {
    return call("", GRPCInferenceServiceGrpc.getServerLiveMethod(), ServerLiveRequest.getDefaultInstance(),
        config.deadline(), ServerLiveResponse::getLive);
  }

  public Future<Boolean> serverReady() {
    return call("", GRPCInferenceServiceGrpc.getServerReadyMethod(), ServerReadyRequest.getDefaultInstance(),
        config.deadline(), ServerReadyResponse::getReady);
  }

  public Future<Boolean> modelReady(String model, String version) {
    return call(model, GRPCInferenceServiceGrpc.getModelReadyMethod(),
        ModelReadyRequest.newBuilder().setName(model).setVersion(version).build(), config.deadline(),
        ModelReadyResponse::getReady);
  }

  public Future<ServerMetadataResponse> serverMetadata() {
    return call("", GRPCInferenceServiceGrpc.getServerMetadataMethod(), ServerMetadataRequest.getDefaultInstance(),
        config.deadline(), Function.identity());
  }

  public Future<ModelMetadataResponse> modelMetadata(String model, String version) {
    return call(model, GRPCInferenceServiceGrpc.getModelMetadataMethod(),
        ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build(), config.deadline(),
        Function.identity());
  }

  public Future<ModelConfig> modelConfig(String model, String version) {
    return call(model, GRPCInferenceServiceGrpc.getModelConfigMethod(),
        ModelConfigRequest.newBuilder().setName(model).setVersion(version).build(), config.deadline(),
        ModelConfigResponse::getConfig);
  }

  /** Statistics of one model, or of all models when {@code model} is empty. */
  public Future<ModelStatisticsResponse> modelStatistics(String model, String version) {
    return call(model, GRPCInferenceServiceGrpc.getModelStatisticsMethod(),
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build(), config.deadline(),
        Function.identity());
  }

  public Future<RepositoryIndexResponse> repositoryIndex() {
    return call("", GRPCInferenceServiceGrpc.getRepositoryIndexMethod(), RepositoryIndexRequest.getDefaultInstance(),
        config.deadline(), Function.identity());
  }

  /** The standard gRPC health check; {@code service} empty for the whole server. */
  public Future<HealthCheckResponse.ServingStatus> health(String service) {
    return call("", HealthGrpc.getCheckMethod(), HealthCheckRequest.newBuilder().setService(service).build(),
        config.deadline(), HealthCheckResponse::getStatus);
  }

  /**
   * Checks, before any work, that the server is live and ready and that every model is ready and
   * has the tensors the caller expects. Fails with a {@link ContractViolationException} naming the
   * model and every mismatch, or an {@link InferenceException} when the server cannot be reached.
   */
  public Future<Void> checkContract(List<ModelContract> contracts) {
    return serverLive()
        .compose(live -> live ? serverReady() : Future.failedFuture(notServing("is not live")))
        .compose(ready -> ready ? Future.succeededFuture() : Future.failedFuture(notServing("is live but not ready")))
        .compose(v -> Future.all(contracts.stream().map(this::checkOne).toList()))
        .mapEmpty();
  }

  private Future<Void> checkOne(ModelContract contract) {
    return modelReady(contract.name(), contract.version()).compose(ready -> {
      if (!ready) {
        return notReadyReason(contract.name()).compose(reason ->
            Future.failedFuture(new ContractViolationException(contract.name(), List.of(reason))));
      }
      return modelMetadata(contract.name(), contract.version()).compose(md -> {
        List<String> mismatches = ContractCheck.mismatches(contract, md);
        return mismatches.isEmpty()
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new ContractViolationException(contract.name(), mismatches));
      });
    });
  }

  private Future<String> notReadyReason(String model) {
    return repositoryIndex().map(index -> index.getModelsList().stream()
            .filter(m -> m.getName().equals(model))
            .findFirst()
            .map(m -> "not ready at " + config.target() + " (state " + m.getState() + ")"
                + (m.getReason().isBlank() ? "" : ": " + m.getReason()))
            .orElse("not served by " + config.target()))
        .recover(e -> Future.succeededFuture("not ready at " + config.target()));
  }

  private InferenceException notServing(String what) {
    return new InferenceException(Status.Code.UNAVAILABLE, "", "inference server at " + config.target() + " " + what, null);
  }

  private <Req, Resp, T> Future<T> call(String model, MethodDescriptor<Req, Resp> method, Req request,
      Duration deadline, Function<Resp, T> read) {
    Context context = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    Attempt<Req, Resp, T> attempt = new Attempt<>(model, method, request, read, context, promise,
        System.nanoTime(), System.nanoTime() + deadline.toNanos());
    attempt.start(1);
    return promise.future();
  }

  /** One logical call across its retries. */
  private final class Attempt<Req, Resp, T> {
    private final String model;
    private final MethodDescriptor<Req, Resp> method;
    private final Req request;
    private final Function<Resp, T> read;
    private final Context context;
    private final Promise<T> promise;
    private final long startNanos;
    private final long deadlineNanos;

    Attempt(String model, MethodDescriptor<Req, Resp> method, Req request, Function<Resp, T> read, Context context,
        Promise<T> promise, long startNanos, long deadlineNanos) {
      this.model = model;
      this.method = method;
      this.request = request;
      this.read = read;
      this.context = context;
      this.promise = promise;
      this.startNanos = startNanos;
      this.deadlineNanos = deadlineNanos;
    }

    void start(int number) {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        fail(Status.DEADLINE_EXCEEDED.withDescription("deadline passed before attempt " + number), number, null);
        return;
      }
      ClientCall<Req, Resp> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(remaining, TimeUnit.NANOSECONDS));
      ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
        private Resp response;

        @Override
        public void onNext(Resp value) {
          response = value;
        }

        @Override
        public void onError(Throwable t) {
          Status status = Status.fromThrowable(t);
          if (InferenceException.isRetryable(status.getCode()) && number < config.retry().maxAttempts()
              && !managedChannel.isShutdown()) {
            long pause = jittered(config.retry().backoffAfter(number));
            if (System.nanoTime() + pause < deadlineNanos) {
              try {
                retryTimer.schedule(() -> {
                  // Our backoff paces reconnection; do not also wait out the channel's own.
                  managedChannel.resetConnectBackoff();
                  start(number + 1);
                }, pause, TimeUnit.NANOSECONDS);
                metrics.retried(model, method, status.getCode());
                return;
              } catch (RejectedExecutionException closed) {
                // The client was closed meanwhile: report this attempt's failure.
              }
            }
          }
          fail(status, number, t);
        }

        @Override
        public void onCompleted() {
          T value;
          try {
            value = read.apply(response);
          } catch (RuntimeException e) {
            fail(Status.INTERNAL.withDescription("malformed response: " + e.getMessage()), number, e);
            return;
          }
          metrics.completed(model, method, Status.Code.OK, System.nanoTime() - startNanos);
          complete(() -> promise.complete(value));
        }
      });
    }

    private void fail(Status status, int attempts, Throwable cause) {
      metrics.completed(model, method, status.getCode(), System.nanoTime() - startNanos);
      String what = method.getBareMethodName() + (model.isEmpty() ? "" : " on model '" + model + "'");
      String message = what + " at " + config.target() + " failed with " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription())
          + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
      InferenceException e = new InferenceException(status.getCode(), model, message, cause);
      complete(() -> promise.fail(e));
    }

    private void complete(Runnable completion) {
      if (context != null) {
        context.runOnContext(v -> completion.run());
      } else {
        completion.run();
      }
    }
  }

  private static long jittered(Duration backoff) {
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return (long) (backoff.toNanos() * factor);
  }

  private static ChannelCredentials credentials(TritonClientConfig config) {
    if (!config.tls()) {
      return InsecureChannelCredentials.create();
    }
    Optional<java.nio.file.Path> ca = config.tlsTrustCertificates();
    if (ca.isEmpty()) {
      return TlsChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder().trustManager(ca.get().toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS trust certificates " + ca.get(), e);
    }
  }

  private static ClientInterceptor bearer(String token) {
    String value = "Bearer " + token;
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(AUTHORIZATION, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Stops accepting calls; calls in flight finish, and calls waiting to retry fail with UNAVAILABLE. */
  @Override
  public void close() {
    managedChannel.shutdown();
    // Retries already scheduled still run (the executor's default after shutdown), meet the
    // closed channel and report their failure; the timer thread ends when they are done.
    retryTimer.shutdown();
  }

  /** Contract comparison, separate so that it reads as a table of rules. */
  static final class ContractCheck {
    private ContractCheck() {}

    static List<String> mismatches(ModelContract contract, ModelMetadataResponse md) {
      List<String> out = new ArrayList<>();
      compare("input", contract.batched(), contract.inputs(), md.getInputsList(), out);
      compare("output", contract.batched(), contract.outputs(), md.getOutputsList(), out);
      for (ModelMetadataResponse.TensorMetadata served : md.getInputsList()) {
        boolean expected = contract.inputs().stream().anyMatch(t -> t.name().equals(served.getName()));
        if (!expected) {
          out.add("server requires input '" + served.getName() + "' that the caller does not send");
        }
      }
      return out;
    }

    private static void compare(String kind, boolean batched, List<ModelContract.TensorContract> expected,
        List<ModelMetadataResponse.TensorMetadata> served, List<String> out) {
      for (ModelContract.TensorContract e : expected) {
        Optional<ModelMetadataResponse.TensorMetadata> match = served.stream().filter(s -> s.getName().equals(e.name())).findFirst();
        if (match.isEmpty()) {
          out.add(kind + " '" + e.name() + "' is missing; the server has "
              + served.stream().map(ModelMetadataResponse.TensorMetadata::getName).toList());
          continue;
        }
        ModelMetadataResponse.TensorMetadata s = match.get();
        if (!s.getDatatype().equals(e.datatype().name())) {
          out.add(kind + " '" + e.name() + "' is " + s.getDatatype() + " on the server, expected " + e.datatype());
        }
        long[] want = batched ? Shapes.withBatchDim(e.dims()) : e.dims();
        long[] has = s.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (!shapeCompatible(want, has, batched)) {
          out.add(kind + " '" + e.name() + "' has shape " + Shapes.format(has) + " on the server, expected " + Shapes.format(want));
        }
      }
    }

    /** Same rank; each served dim equal to the expected one or variable; a batch dim served as variable. */
    private static boolean shapeCompatible(long[] want, long[] has, boolean batched) {
      if (want.length != has.length || (batched && has[0] != -1)) {
        return false;
      }
      for (int i = 0; i < want.length; i++) {
        if (has[i] != -1 && has[i] != want[i]) {
          return false;
        }
      }
      return true;
    }
  }
}
