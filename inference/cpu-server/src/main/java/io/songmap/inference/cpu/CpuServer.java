package io.songmap.inference.cpu;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KServe v2 gRPC server, speaking Triton's protocol, that hosts any list of {@link CpuModel}s.
 * Start one in-process with {@code CpuServer.start(CpuServerConfig.defaults(0), models)} and read
 * {@link #port()}; {@link #close()} stops it and closes the models.
 */
public final class CpuServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CpuServer.class);

  private final CpuServerConfig config;
  private final List<CpuModel> models;
  private final Map<String, HostedModel> hosted = new LinkedHashMap<>();
  private final Map<String, DynamicBatcher> batchers = new LinkedHashMap<>();
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final Server server;
  private volatile boolean ready;

  private CpuServer(CpuServerConfig config, List<CpuModel> models) {
    this.config = config;
    this.models = List.copyOf(models);
    HostedModel.uniqueNames(this.models);
    // Work reaching this pool is bounded by models x instancesPerModel: the batchers hold the rest.
    this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("cpu-infer-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("cpu-batcher-"));
    for (CpuModel m : this.models) {
      HostedModel h = new HostedModel(m, config);
      hosted.put(m.name(), h);
      batchers.put(m.name(), new DynamicBatcher(h, config, workers, timer));
    }
    ServerServiceDefinition inference = new InferenceService(hosted, batchers, () -> ready).bindService();
    this.server = Grpc.newServerBuilderForPort(config.port(), InsecureServerCredentials.create())
        .maxInboundMessageSize(config.maxInboundMessageBytes())
        .addService(config.bearerToken().map(t -> ServerInterceptors.intercept(inference, new BearerAuth(t))).orElse(inference))
        .addService(new HealthService(hosted, () -> ready))
        .build();
  }

  /** Binds the port and starts serving; models that are not ready are hosted and reported as such. */
  public static CpuServer start(CpuServerConfig config, List<CpuModel> models) {
    CpuServer s = new CpuServer(config, models);
    try {
      s.server.start();
    } catch (IOException e) {
      s.stopThreads();
      throw new UncheckedIOException("cannot bind the inference server to port " + config.port(), e);
    }
    s.ready = true;
    for (HostedModel h : s.hosted.values()) {
      log.info("model '{}' v{} {}", h.name(), h.version(),
          h.notReadyReason().map(r -> "NOT READY: " + r).orElse("ready, max batch " + h.maxBatchSize()));
    }
    log.info("cpu-server listening on port {} with {} workers", s.port(), config.workerThreads());
    return s;
  }

  public int port() {
    return server.getPort();
  }

  public CpuServerConfig config() {
    return config;
  }

  /** Blocks until the server stops (used by the command-line entry point). */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, fails queued requests, lets running batches finish, closes the models. */
  @Override
  public void close() {
    ready = false;
    server.shutdown();
    batchers.values().forEach(DynamicBatcher::close);
    try {
      if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    stopThreads();
    for (CpuModel m : models) {
      try {
        m.close();
      } catch (Exception e) {
        log.warn("closing model '{}' failed", m.name(), e);
      }
    }
  }

  private void stopThreads() {
    workers.shutdown();
    timer.shutdownNow();
    try {
      if (!workers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
