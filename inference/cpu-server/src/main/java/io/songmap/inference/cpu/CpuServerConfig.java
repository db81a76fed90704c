package io.songmap.inference.cpu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the CPU inference server, validated once at start.
 *
 * @param port gRPC port; 0 picks a free one (tests). Triton's gRPC port is 8001
 * @param workerThreads threads that run model code; the only threads that compute
 * @param instancesPerModel batches of one model that may run at the same time (Triton's
 *     instance_group count); at most {@code workerThreads}
 * @param batching the dynamic batcher's settings, applied to every model that batches
 * @param maxInboundMessageBytes largest request accepted
 * @param shutdownGrace how long a stop waits for calls in flight
 * @param bearerToken when present, inference calls must carry {@code authorization: Bearer <token>};
 *     health checks stay open for probes
 */
public record CpuServerConfig(
    int port,
    int workerThreads,
    int instancesPerModel,
    Batching batching,
    int maxInboundMessageBytes,
    Duration shutdownGrace,
    Optional<String> bearerToken) {

  public static final int DEFAULT_PORT = 8001;
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 256 * 1024 * 1024;

  public CpuServerConfig {
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(bearerToken, "bearerToken");
    if (bearerToken.isPresent() && bearerToken.get().isBlank()) {
      throw new IllegalArgumentException("bearerToken is blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be >= 1, got " + workerThreads);
    }
    if (instancesPerModel < 1 || instancesPerModel > workerThreads) {
      throw new IllegalArgumentException("instancesPerModel must be in 1.." + workerThreads + " (workerThreads), got " + instancesPerModel);
    }
    if (maxInboundMessageBytes < 4 * 1024 * 1024) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be at least 4 MiB, got " + maxInboundMessageBytes);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative, got " + shutdownGrace);
    }
  }

  /** Defaults on the given port: one worker and one instance per core, batching on with a 2 ms delay. */
  public static CpuServerConfig defaults(int port) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new CpuServerConfig(port, cores, cores, Batching.DEFAULT, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, Duration.ofSeconds(5),
        Optional.empty());
  }

  public CpuServerConfig withWorkers(int threads, int instances) {
    return new CpuServerConfig(port, threads, instances, batching, maxInboundMessageBytes, shutdownGrace, bearerToken);
  }

  public CpuServerConfig withBatching(Batching b) {
    return new CpuServerConfig(port, workerThreads, instancesPerModel, b, maxInboundMessageBytes, shutdownGrace, bearerToken);
  }

  public CpuServerConfig withBearerToken(String token) {
    return new CpuServerConfig(port, workerThreads, instancesPerModel, batching, maxInboundMessageBytes, shutdownGrace,
        Optional.of(token));
  }

  /**
   * Reads {@code SONGMAP_CPU_SERVER_PORT}, {@code SONGMAP_CPU_SERVER_THREADS},
   * {@code SONGMAP_CPU_SERVER_INSTANCES}, {@code SONGMAP_CPU_SERVER_BATCHING},
   * {@code SONGMAP_CPU_SERVER_MAX_QUEUE_DELAY_US}, {@code SONGMAP_CPU_SERVER_PREFERRED_BATCH_SIZES}
   * (comma separated), {@code SONGMAP_CPU_SERVER_MAX_QUEUE_SIZE} and
   * {@code SONGMAP_CPU_SERVER_MAX_MESSAGE_BYTES} and {@code SONGMAP_CPU_SERVER_BEARER_TOKEN}; each
   * missing one takes its default.
   */
  public static CpuServerConfig fromEnv(Map<String, String> env) {
    CpuServerConfig d = defaults(DEFAULT_PORT);
    int threads = intOf(env, "SONGMAP_CPU_SERVER_THREADS", d.workerThreads());
    Batching b = new Batching(
        Boolean.parseBoolean(env.getOrDefault("SONGMAP_CPU_SERVER_BATCHING", "true")),
        Duration.ofNanos(1_000L * intOf(env, "SONGMAP_CPU_SERVER_MAX_QUEUE_DELAY_US", (int) (Batching.DEFAULT.maxQueueDelay().toNanos() / 1000))),
        parseSizes(env.getOrDefault("SONGMAP_CPU_SERVER_PREFERRED_BATCH_SIZES", "")),
        intOf(env, "SONGMAP_CPU_SERVER_MAX_QUEUE_SIZE", Batching.DEFAULT.maxQueueSize()));
    return new CpuServerConfig(
        intOf(env, "SONGMAP_CPU_SERVER_PORT", DEFAULT_PORT),
        threads,
        intOf(env, "SONGMAP_CPU_SERVER_INSTANCES", threads),
        b,
        intOf(env, "SONGMAP_CPU_SERVER_MAX_MESSAGE_BYTES", DEFAULT_MAX_INBOUND_MESSAGE_BYTES),
        d.shutdownGrace(),
        Optional.ofNullable(env.get("SONGMAP_CPU_SERVER_BEARER_TOKEN")).filter(t -> !t.isBlank()));
  }

  static List<Integer> parseSizes(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        try {
          out.add(Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("preferred batch size is not an integer: '" + s.trim() + "'", e);
        }
      }
    }
    return out;
  }

  private static int intOf(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    try {
      return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not an integer: '" + v + "'", e);
    }
  }

  /**
   * The dynamic batcher, like Triton's: requests for one model queue up (priority first, then
   * arrival); a batch runs as soon as it reaches the largest preferred size (or the model's max
   * batch size when none is preferred), or when its oldest request has waited {@code maxQueueDelay};
   * whichever comes first. Off, each request runs alone.
   *
   * @param enabled whether requests are combined at all
   * @param maxQueueDelay how long a request may wait for others to join its batch
   * @param preferredBatchSizes sizes worth waiting for; empty means the model's max batch size
   * @param maxQueueSize requests queued per model before new ones are refused (RESOURCE_EXHAUSTED)
   */
  public record Batching(boolean enabled, Duration maxQueueDelay, List<Integer> preferredBatchSizes, int maxQueueSize) {
    public static final Batching DEFAULT = new Batching(true, Duration.ofMillis(2), List.of(), 1024);
    public static final Batching OFF = new Batching(false, Duration.ZERO, List.of(), 1024);

    public Batching {
      Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
      preferredBatchSizes = List.copyOf(preferredBatchSizes);
      if (maxQueueDelay.isNegative() || maxQueueDelay.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("maxQueueDelay must be in 0..10s, got " + maxQueueDelay);
      }
      for (int s : preferredBatchSizes) {
        if (s < 1) {
          throw new IllegalArgumentException("preferred batch sizes must be >= 1, got " + preferredBatchSizes);
        }
      }
      if (maxQueueSize < 1) {
        throw new IllegalArgumentException("maxQueueSize must be >= 1, got " + maxQueueSize);
      }
    }

    public Batching withMaxQueueDelay(Duration d) {
      return new Batching(enabled, d, preferredBatchSizes, maxQueueSize);
    }

    public Batching withPreferredBatchSizes(List<Integer> sizes) {
      return new Batching(enabled, maxQueueDelay, sizes, maxQueueSize);
    }

    public Batching withMaxQueueSize(int size) {
      return new Batching(enabled, maxQueueDelay, preferredBatchSizes, size);
    }
  }
}
