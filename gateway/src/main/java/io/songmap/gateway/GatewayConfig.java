package io.songmap.gateway;

import io.songmap.stages.runtime.EnvValues;
import io.songmap.stages.runtime.KafkaTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of one gateway process, parsed once at start. Each has a default and an environment variable.
 *
 * @param host interface the HTTP server binds ({@code SONGMAP_GATEWAY_HOST})
 * @param port HTTP port, 0 for any free one ({@code SONGMAP_GATEWAY_PORT})
 * @param httpInstances HTTP servers sharing the port, each on its own event loop
 *     ({@code SONGMAP_GATEWAY_HTTP_INSTANCES}; default: one per core)
 * @param pgUrl PostgreSQL, {@code postgresql://user[:password]@host[:port]/database} ({@code SONGMAP_PG_URL})
 * @param pgPoolSize connections in the gateway's pool ({@code SONGMAP_GATEWAY_PG_POOL_SIZE})
 * @param kafkaBootstrap Kafka brokers; {@code null} turns off live WebSocket events and partner intake
 *     ({@code SONGMAP_KAFKA_BOOTSTRAP}, {@code none} for none)
 * @param topics topic names with their optional prefix ({@code SONGMAP_KAFKA_TOPIC_PREFIX})
 * @param artifactsDir root of the local artifact store ({@code SONGMAP_ARTIFACTS_DIR})
 * @param maxUploadBytes largest accepted upload ({@code SONGMAP_GATEWAY_MAX_UPLOAD_MB}, in MiB)
 * @param maxActiveJobsPerTenant unfinished jobs a tenant may have before submissions get 429
 *     ({@code SONGMAP_GATEWAY_MAX_ACTIVE_JOBS})
 * @param retryAfter what a 429 tells the client to wait ({@code SONGMAP_GATEWAY_RETRY_AFTER})
 * @param allowedUrlHosts source URL hosts accepted even when they resolve to loopback, private or link-local
 *     addresses; comma-separated ({@code SONGMAP_GATEWAY_ALLOWED_URL_HOSTS})
 * @param wsPingInterval how often WebSocket clients are pinged ({@code SONGMAP_GATEWAY_WS_PING})
 * @param wsWriteQueueBytes a WebSocket's outgoing buffer before it counts as full
 *     ({@code SONGMAP_GATEWAY_WS_QUEUE_BYTES})
 * @param wsSlowClientGrace how long a WebSocket's buffer may stay full before the client is dropped
 *     ({@code SONGMAP_GATEWAY_WS_SLOW_GRACE})
 * @param wsMaxPendingEvents live events held for one client while its buffer is full, before it is dropped
 *     ({@code SONGMAP_GATEWAY_WS_MAX_PENDING})
 * @param partnerIntake whether this process consumes {@code songmap.submissions.v1}
 *     ({@code SONGMAP_GATEWAY_PARTNER_INTAKE}, {@code true}/{@code false})
 * @param intakeMaxInFlight partner submissions handled at once ({@code SONGMAP_GATEWAY_INTAKE_IN_FLIGHT})
 * @param inferenceAddress {@code host:port} of the inference server checked by {@code /health/ready};
 *     {@code null} when not configured ({@code SONGMAP_TRITON_URL})
 * @param projectionOwner this process's name in the projection's lease table
 */
public record GatewayConfig(String host, int port, int httpInstances, String pgUrl, int pgPoolSize, String kafkaBootstrap,
    KafkaTopics topics, Path artifactsDir, long maxUploadBytes, int maxActiveJobsPerTenant, Duration retryAfter,
    Set<String> allowedUrlHosts, Duration wsPingInterval, int wsWriteQueueBytes, Duration wsSlowClientGrace,
    int wsMaxPendingEvents, boolean partnerIntake, int intakeMaxInFlight, String inferenceAddress,
    String projectionOwner) {

  public static final long MIB = 1024L * 1024L;

  public GatewayConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(pgUrl, "pgUrl");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(artifactsDir, "artifactsDir");
    Objects.requireNonNull(projectionOwner, "projectionOwner");
    allowedUrlHosts = allowedUrlHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (httpInstances < 1 || pgPoolSize < 1 || maxUploadBytes < 1 || maxActiveJobsPerTenant < 1 || wsWriteQueueBytes < 1024
        || wsMaxPendingEvents < 1 || intakeMaxInFlight < 1) {
      throw new IllegalArgumentException("pool size, upload limit, job limit, WebSocket buffers and intake bound "
          + "must be positive (WebSocket queue at least 1024 bytes)");
    }
    if (!positive(retryAfter) || !positive(wsPingInterval) || !positive(wsSlowClientGrace)) {
      throw new IllegalArgumentException("retryAfter, wsPingInterval and wsSlowClientGrace must be positive");
    }
    if (partnerIntake && kafkaBootstrap == null) {
      throw new IllegalArgumentException("partner intake needs Kafka (SONGMAP_KAFKA_BOOTSTRAP)");
    }
    if (inferenceAddress != null && !inferenceAddress.matches("[^:\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("inferenceAddress must be host:port, was " + inferenceAddress);
    }
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  /** The defaults: local PostgreSQL and Kafka, port 8080, 500 MiB uploads, 3 unfinished jobs per tenant. */
  public static GatewayConfig defaults() {
    return new GatewayConfig("0.0.0.0", 8080, Runtime.getRuntime().availableProcessors(), "postgresql://postgres@127.0.0.1:5432/postgres", 8, "127.0.0.1:9092",
        KafkaTopics.DEFAULT, Path.of("data", "artifacts"), 500 * MIB, 3, Duration.ofSeconds(30), Set.of(),
        Duration.ofSeconds(20), 256 * 1024, Duration.ofSeconds(10), 1000, true, 16, null,
        "gateway-" + java.util.UUID.randomUUID());
  }

  public static GatewayConfig fromEnv() {
    return fromEnv(EnvValues.system());
  }

  /** The defaults, each overridden by its environment variable where set. */
  public static GatewayConfig fromEnv(EnvValues env) {
    GatewayConfig d = defaults();
    String kafka = env.string("SONGMAP_KAFKA_BOOTSTRAP", d.kafkaBootstrap());
    boolean noKafka = kafka.equalsIgnoreCase("none");
    return new GatewayConfig(
        env.string("SONGMAP_GATEWAY_HOST", d.host()),
        env.integer("SONGMAP_GATEWAY_PORT", d.port()),
        env.integer("SONGMAP_GATEWAY_HTTP_INSTANCES", d.httpInstances()),
        env.string("SONGMAP_PG_URL", d.pgUrl()),
        env.integer("SONGMAP_GATEWAY_PG_POOL_SIZE", d.pgPoolSize()),
        noKafka ? null : kafka,
        new KafkaTopics(env.string("SONGMAP_KAFKA_TOPIC_PREFIX", "")),
        Path.of(env.string("SONGMAP_ARTIFACTS_DIR", d.artifactsDir().toString())),
        env.integer("SONGMAP_GATEWAY_MAX_UPLOAD_MB", (int) (d.maxUploadBytes() / MIB)) * MIB,
        env.integer("SONGMAP_GATEWAY_MAX_ACTIVE_JOBS", d.maxActiveJobsPerTenant()),
        env.duration("SONGMAP_GATEWAY_RETRY_AFTER", d.retryAfter()),
        hosts(env.string("SONGMAP_GATEWAY_ALLOWED_URL_HOSTS", "")),
        env.duration("SONGMAP_GATEWAY_WS_PING", d.wsPingInterval()),
        env.integer("SONGMAP_GATEWAY_WS_QUEUE_BYTES", d.wsWriteQueueBytes()),
        env.duration("SONGMAP_GATEWAY_WS_SLOW_GRACE", d.wsSlowClientGrace()),
        env.integer("SONGMAP_GATEWAY_WS_MAX_PENDING", d.wsMaxPendingEvents()),
        !noKafka && Boolean.parseBoolean(env.string("SONGMAP_GATEWAY_PARTNER_INTAKE", "true")),
        env.integer("SONGMAP_GATEWAY_INTAKE_IN_FLIGHT", d.intakeMaxInFlight()),
        hostPort(env.string("SONGMAP_TRITON_URL", null)),
        env.string("SONGMAP_GATEWAY_OWNER", d.projectionOwner()));
  }

  /** {@code host:port} of a URL or of a bare {@code host:port}. */
  private static String hostPort(String target) {
    if (target == null) {
      return null;
    }
    String t = target.contains("://") ? target.substring(target.indexOf("://") + 3) : target;
    return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
  }

  private static Set<String> hosts(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }

  public GatewayConfig withHttpInstances(int httpInstances) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir,
        maxUploadBytes, maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes,
        wsSlowClientGrace, wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withPort(int port) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes, wsSlowClientGrace,
        wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withKafka(String kafkaBootstrap, KafkaTopics topics, boolean partnerIntake) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes, wsSlowClientGrace,
        wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withStorage(String pgUrl, Path artifactsDir) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes, wsSlowClientGrace,
        wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withLimits(long maxUploadBytes, int maxActiveJobsPerTenant, Set<String> allowedUrlHosts) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes, wsSlowClientGrace,
        wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withWebSocket(Duration pingInterval, int writeQueueBytes, Duration slowClientGrace,
      int maxPendingEvents) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, pingInterval, writeQueueBytes, slowClientGrace,
        maxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }

  public GatewayConfig withInferenceAddress(String inferenceAddress) {
    return new GatewayConfig(host, port, httpInstances, pgUrl, pgPoolSize, kafkaBootstrap, topics, artifactsDir, maxUploadBytes,
        maxActiveJobsPerTenant, retryAfter, allowedUrlHosts, wsPingInterval, wsWriteQueueBytes, wsSlowClientGrace,
        wsMaxPendingEvents, partnerIntake, intakeMaxInFlight, inferenceAddress, projectionOwner);
  }
}
