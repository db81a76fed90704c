package io.songmap.launcher;

import io.songmap.artifacts.ArtifactStore;
import io.songmap.artifacts.ArtifactStores;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.gateway.Gateway;
import io.songmap.gateway.GatewayConfig;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.inference.cpu.CpuServer;
import io.songmap.inference.cpu.CpuServerConfig;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.job.Job;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.DirectDispatch;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.EnvValues;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.EmbeddedKafka;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One process's share of Songmap, assembled from the settings: the connections (PostgreSQL, Kafka,
 * inference) and whichever roles were asked for (relay, stage workers). With nothing configured it
 * brings its own Kafka broker and CPU inference server, so one command runs everything.
 */
final class Node implements AutoCloseable {
  final Settings settings;
  private final Map<String, String> rawEnv;
  EnvValues env;
  final Vertx vertx;
  private final List<AutoCloseable> closers = new ArrayList<>();
  String kafkaBootstrap;
  PgConnectOptions pg;
  Pool pool;
  PgEventStore store;
  JobCommands commands;
  /** Sends stage tasks as their appends commit; {@code null} while off (see {@link #directDispatchSetting}). */
  DirectDispatch dispatch;
  /** SONGMAP_DIRECT_DISPATCH as read once at start. */
  private String directDispatch;
  ArtifactStore artifacts;
  TritonClient triton;
  String tritonTarget;

  private Node(Settings settings, Map<String, String> env) {
    this.settings = settings;
    this.rawEnv = new java.util.HashMap<>(env);
    this.env = new EnvValues(env);
    this.vertx = Vertx.vertx();
  }

  static Node create(Settings settings, Map<String, String> env) {
    return new Node(settings, env);
  }

  /** Connects to (or starts) Kafka and creates the topics. */
  Node kafka() {
    if (settings.kafkaBootstrap().isEmpty()) {
      EmbeddedKafka broker = EmbeddedKafka.start(Map.of());
      closers.add(broker);
      kafkaBootstrap = broker.bootstrapServers();
    } else {
      kafkaBootstrap = settings.kafkaBootstrap();
    }
    // Every role reads its Kafka settings from the environment; hand them the broker actually used.
    rawEnv.put("SONGMAP_KAFKA_BOOTSTRAP", kafkaBootstrap);
    env = new EnvValues(rawEnv);
    new KafkaTopics(env.string("SONGMAP_KAFKA_TOPIC_PREFIX", "")).createAllBlocking(kafkaBootstrap, env.integer("SONGMAP_KAFKA_PARTITIONS", 4),
        (short) env.integer("SONGMAP_KAFKA_REPLICATION", 1), Duration.ofSeconds(60));
    return this;
  }

  /** Connects to PostgreSQL, creating the database if it is missing, and opens the event store. */
  Node postgres() {
    Postgres.Resolved resolved = Postgres.resolve(vertx, settings, true);
    if (resolved.owned() != null) {
      closers.add(resolved.owned());
    }
    pg = resolved.options();
    // Hand every role the database actually used, whatever its own default would be.
    rawEnv.put("SONGMAP_PG_URL", resolved.url());
    env = new EnvValues(rawEnv);
    pool = PgBuilder.pool().connectingTo(pg).with(new PoolOptions().setMaxSize(env.integer("SONGMAP_PG_POOL_SIZE", 16)))
        .using(vertx).build();
    store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT), "opening the event store");
    directDispatch = directDispatchSetting();
    if (directDispatch.equals("true")) {
      startDispatch();
    }
    commands = jobCommands();
    return this;
  }

  /**
   * SONGMAP_DIRECT_DISPATCH: {@code auto} (default) sends stage tasks as their appends commit where the relay runs in
   * this process (it then sends only what that missed); {@code true} does so in any case (the relay of another
   * process sends each task again, which processors take as a duplicate); {@code false}: the relay alone sends.
   */
  private String directDispatchSetting() {
    String v = env.string("SONGMAP_DIRECT_DISPATCH", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    if (!v.equals("auto") && !v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("SONGMAP_DIRECT_DISPATCH is auto, true or false, not " + v);
    }
    return v;
  }

  private void startDispatch() {
    dispatch = DirectDispatch.create(kafkaBootstrap,
        new KafkaTopics(env.string("SONGMAP_KAFKA_TOPIC_PREFIX", "")));
    closers.add(dispatch);
  }

  private JobCommands jobCommands() {
    return new JobCommands(vertx, store, Job.withDefaults(), 20, JobCommands.DEFAULT_CACHE_SIZE,
        env.duration("SONGMAP_JOB_GATHER_WINDOW", JobCommands.DEFAULT_GATHER_WINDOW), dispatch);
  }

  Node artifacts() {
    artifacts = ArtifactStores.fromEnv(vertx, rawEnv, settings.artifactsDir());
    if (artifacts instanceof AutoCloseable c) {
      closers.add(c);
    }
    return this;
  }

  /** Connects to the inference server, starting the in-process CPU server when none is configured. */
  Node inference() {
    if (settings.tritonUrl().isEmpty()) {
      CpuServer server = CpuServer.start(CpuServerConfig.defaults(0), CpuModels.defaults());
      closers.add(server);
      tritonTarget = "localhost:" + server.port();
      rawEnv.put("SONGMAP_TRITON_URL", tritonTarget);
      env = new EnvValues(rawEnv);
    } else {
      tritonTarget = settings.tritonUrl();
    }
    triton = TritonClient.create(TritonClientConfig.of(tritonTarget).withDeadline(
        env.duration("SONGMAP_TRITON_DEADLINE", Duration.ofMinutes(2))));
    closers.add(triton);
    return this;
  }

  /** Starts the relay; called before {@link #workers}, so that they send their tasks directly (unless turned off). */
  Node relay() {
    if (dispatch == null && directDispatch.equals("auto")) {
      startDispatch();
      commands = jobCommands();
    }
    await(vertx.deployVerticle(new Relay(store, pg, RelayConfig.fromEnv(env), dispatch)), "starting the relay");
    return this;
  }

  Node workers(Collection<Stage> stages) {
    Map<Stage, StageHandler> handlers = Stages.create(vertx, artifacts, triton, Stages.Settings.fromEnv(env));
    StageWorkerConfig config = StageWorkerConfig.fromEnv(env);
    for (Stage stage : stages) {
      await(vertx.deployVerticle(new StageWorker(stage, handlers.get(stage), commands, config)),
          "starting the " + stage.wireName() + " worker");
    }
    return this;
  }

  /** Starts the HTTP API, WebSocket streams, status projection and partner intake. */
  Gateway gateway() {
    return await(Gateway.start(vertx, GatewayConfig.fromEnv(env)), "starting the gateway");
  }

  /** Expires artifacts SONGMAP_ARTIFACT_TTL (default 24 h) after their job ends. */
  Node janitor() {
    await(vertx.deployVerticle(new ArtifactJanitor(store, pg, artifacts,
        env.duration("SONGMAP_ARTIFACT_TTL", Duration.ofHours(24)),
        env.duration("SONGMAP_ARTIFACT_SWEEP_INTERVAL", Duration.ofMinutes(10)))), "starting the artifact janitor");
    return this;
  }

  static Set<Stage> allStages() {
    return EnumSet.allOf(Stage.class);
  }

  static <T> T await(Future<T> f, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " took longer than 120 s", e);
    }
  }

  @Override
  public void close() {
    // Stop the roles before the connections they use go away, so that none of them reports a closed pool.
    for (String id : List.copyOf(vertx.deploymentIDs())) {
      try {
        vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Shutting down anyway.
      }
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // Shutting down anyway.
    }
    for (int i = closers.size() - 1; i >= 0; i--) {
      try {
        closers.get(i).close();
      } catch (Exception ignored) {
        // Best effort: the process is exiting.
      }
    }
  }
}
