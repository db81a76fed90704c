package io.songmap.gateway;

import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.JobState;
import io.songmap.job.StageState;
import io.songmap.job.StageStatus;
import io.songmap.job.JobCommand;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.testkit.TestKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A gateway on a fresh database, the shared Kafka broker (topics behind a prefix of this harness's own) and a
 * temporary artifact folder, with an HTTP client and direct access to the same store for driving jobs.
 */
final class GatewayHarness implements AutoCloseable {
  private static final AtomicInteger TENANTS = new AtomicInteger();

  final Vertx vertx = Vertx.vertx();
  final PgConnectOptions pg;
  final Path artifactsDir;
  final KafkaTopics topics;
  final String kafka;
  final GatewayConfig config;
  final Gateway gateway;
  final WebClient http;
  final Pool pool;
  final PgEventStore store;
  final JobCommands commands;
  final LocalArtifactStore artifacts;

  GatewayHarness(String owner, boolean withKafka, UnaryOperator<GatewayConfig> tweak) {
    try {
      pg = TestPostgres.freshDatabase(owner);
      artifactsDir = Files.createTempDirectory("gateway-it");
      topics = new KafkaTopics("t" + Long.toString(System.nanoTime(), 36) + ".");
      kafka = withKafka ? TestKafka.bootstrapServers() : null;
      if (withKafka) {
        TestKafka.createTopics(2, topics.all());
      }
      String url = "postgresql://" + pg.getUser() + "@" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase();
      GatewayConfig c = GatewayConfig.defaults().withPort(0).withStorage(url, artifactsDir)
          .withKafka(kafka, topics, withKafka)
          .withLimits(1024 * 1024, 3, Set.of("localhost"));
      config = tweak.apply(c);
      gateway = await(Gateway.start(vertx, config));
      http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gateway.port()));
      pool = PgBuilder.pool().connectingTo(pg).using(vertx).build();
      store = new PgEventStore(pool, PgEventStoreOptions.DEFAULT);
      commands = new JobCommands(vertx, store);
      artifacts = new LocalArtifactStore(vertx, artifactsDir);
      if (withKafka) {
        // The real relay publishes what the store records, as in production.
        await(vertx.deployVerticle(new Relay(store, pg, RelayConfig.defaults(kafka).withTopics(topics))));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  GatewayHarness(String owner, boolean withKafka) {
    this(owner, withKafka, c -> c);
  }

  /** A new tenant and its API key. */
  Map.Entry<String, String> tenant() {
    String name = "tenant-" + TENANTS.incrementAndGet();
    var created = await(gateway.tenants().create(name));
    return Map.entry(created.tenant(), created.apiKey());
  }

  HttpRequest<Buffer> get(String key, String path) {
    return http.get("/api/v1" + path).bearerTokenAuthentication(key);
  }

  HttpRequest<Buffer> post(String key, String path) {
    return http.post("/api/v1" + path).bearerTokenAuthentication(key);
  }

  HttpResponse<Buffer> submitUrl(String key, String url) {
    return await(post(key, "/jobs").sendJsonObject(new JsonObject().put("sourceUrl", url)));
  }

  /** Completes every requested stage in graph order until the job completes. */
  JobState complete(String tenant, String jobId, Map<String, String> packageOutputs) {
    for (int round = 0; round < 20; round++) {
      JobState state = await(commands.load(tenant, jobId));
      if (state.isFinished()) {
        return state;
      }
      for (StageState s : state.stages().values()) {
        if (s.status() == StageStatus.REQUESTED || s.status() == StageStatus.RUNNING) {
          Map<String, String> outputs = s.stage().wireName().equals("package") ? packageOutputs
              : Map.of("done", "yes");
          await(commands.handle(tenant, new JobCommand.CompleteStage(jobId, s.stage(), s.run(), s.attempt(), outputs,
              null, Instant.now()), JobCommands.Meta.none()));
        }
      }
    }
    throw new IllegalStateException("job " + jobId + " did not complete");
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      await(gateway.stop());
    } finally {
      vertx.close();
    }
  }
}
