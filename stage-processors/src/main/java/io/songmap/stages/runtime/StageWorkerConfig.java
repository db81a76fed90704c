package io.songmap.stages.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one stage's worker.
 *
 * @param bootstrapServers Kafka brokers ({@code SONGMAP_KAFKA_BOOTSTRAP})
 * @param topics topic and group names ({@code SONGMAP_KAFKA_TOPIC_PREFIX})
 * @param maxInFlight tasks handled at once; partitions are paused at the bound ({@code SONGMAP_STAGE_MAX_IN_FLIGHT})
 * @param stageTimeout how long one attempt may run before it fails with TIMEOUT ({@code SONGMAP_STAGE_TIMEOUT})
 * @param heartbeatInterval how often a running attempt records StageProgressed, so that a stuck attempt can be
 *     told from a slow one ({@code SONGMAP_STAGE_HEARTBEAT})
 * @param progressInterval the least time between two progress reports of a handler ({@code SONGMAP_STAGE_PROGRESS_INTERVAL})
 * @param startReportDelay how long StartStage may wait to be recorded together with the result: an attempt
 *     whose handler finishes sooner is recorded in one append (StageStarted and its result), a longer one
 *     gets its StageStarted after this delay. Zero records StartStage before the handler runs
 *     ({@code SONGMAP_STAGE_START_REPORT_DELAY})
 * @param workerPoolSize threads for the handlers' blocking work ({@code SONGMAP_STAGE_WORKER_POOL})
 * @param shutdownGrace how long stopping waits for tasks in flight before abandoning them to redelivery
 *     ({@code SONGMAP_STAGE_SHUTDOWN_GRACE})
 * @param consumerOverrides extra Kafka consumer settings
 */
public record StageWorkerConfig(String bootstrapServers, KafkaTopics topics, int maxInFlight, Duration stageTimeout,
    Duration heartbeatInterval, Duration progressInterval, Duration startReportDelay, int workerPoolSize,
    Duration shutdownGrace, Map<String, Object> consumerOverrides) {

  public StageWorkerConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    consumerOverrides = consumerOverrides == null ? Map.of() : Map.copyOf(consumerOverrides);
    if (maxInFlight < 1 || workerPoolSize < 1) {
      throw new IllegalArgumentException("maxInFlight and workerPoolSize must be positive");
    }
    if (!positive(stageTimeout) || !positive(heartbeatInterval) || progressInterval.isNegative()
        || startReportDelay.isNegative() || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("stageTimeout and heartbeatInterval must be positive, the others not negative");
    }
    if (heartbeatInterval.compareTo(stageTimeout) >= 0) {
      throw new IllegalArgumentException("heartbeatInterval " + heartbeatInterval + " must be shorter than stageTimeout "
          + stageTimeout);
    }
  }

  public static StageWorkerConfig defaults(String bootstrapServers) {
    return new StageWorkerConfig(bootstrapServers, KafkaTopics.DEFAULT, 16, Duration.ofMinutes(10),
        Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofMillis(50), 2, Duration.ofSeconds(30), Map.of());
  }

  /** The defaults, each overridden by its environment variable where set. */
  public static StageWorkerConfig fromEnv(EnvValues env) {
    StageWorkerConfig d = defaults(env.string("SONGMAP_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    return new StageWorkerConfig(d.bootstrapServers(),
        new KafkaTopics(env.string("SONGMAP_KAFKA_TOPIC_PREFIX", "")),
        env.integer("SONGMAP_STAGE_MAX_IN_FLIGHT", d.maxInFlight()),
        env.duration("SONGMAP_STAGE_TIMEOUT", d.stageTimeout()),
        env.duration("SONGMAP_STAGE_HEARTBEAT", d.heartbeatInterval()),
        env.duration("SONGMAP_STAGE_PROGRESS_INTERVAL", d.progressInterval()),
        env.duration("SONGMAP_STAGE_START_REPORT_DELAY", d.startReportDelay()),
        env.integer("SONGMAP_STAGE_WORKER_POOL", d.workerPoolSize()),
        env.duration("SONGMAP_STAGE_SHUTDOWN_GRACE", d.shutdownGrace()),
        Map.of());
  }

  public StageWorkerConfig withTopics(KafkaTopics topics) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  public StageWorkerConfig withMaxInFlight(int maxInFlight) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  public StageWorkerConfig withTimeouts(Duration stageTimeout, Duration heartbeatInterval) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  public StageWorkerConfig withStartReportDelay(Duration startReportDelay) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  public StageWorkerConfig withShutdownGrace(Duration shutdownGrace) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  public StageWorkerConfig withConsumerOverrides(Map<String, Object> consumerOverrides) {
    return new StageWorkerConfig(bootstrapServers, topics, maxInFlight, stageTimeout, heartbeatInterval,
        progressInterval, startReportDelay, workerPoolSize, shutdownGrace, consumerOverrides);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }
}
