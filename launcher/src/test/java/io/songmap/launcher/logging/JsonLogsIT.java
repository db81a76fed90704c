package io.songmap.launcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.TestKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The launcher's own {@code logback.xml} in JSON: a stage worker's line about a job, written to stderr, is one JSON
 * object carrying the job, its tenant and the exception.
 */
class JsonLogsIT {
  private static final String TENANT = "acme";

  @Test
  void aStageWorkersLineAboutAJobIsOneJsonObjectWithTheJobTenantAndException() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    Vertx vertx = Vertx.vertx();
    try {
      configure(LogFormat.JSON);
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      String jobId = "job-" + UUID.randomUUID();
      PgConnectOptions pg = TestPostgres.freshDatabase("json_logs");
      Pool pool = PgBuilder.pool().connectingTo(pg).using(vertx).build();
      PgEventStore store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
      KafkaTopics topics = new KafkaTopics("t" + Long.toString(System.nanoTime(), 36) + ".");
      String kafka = TestKafka.bootstrapServers();
      TestKafka.createTopics(2, topics.all());
      JobCommands commands = new JobCommands(vertx, store);
      await(vertx.deployVerticle(new Relay(store, pg, RelayConfig.defaults(kafka).withTopics(topics))));
      await(vertx.deployVerticle(new StageWorker(Stage.INGEST, (task, ctx) -> {
        throw new IllegalStateException("the decoder gave up");
      }, commands, StageWorkerConfig.defaults(kafka).withTopics(topics).withShutdownGrace(Duration.ofMillis(500)))));
      await(commands.handle(TENANT, new JobCommand.SubmitJob(jobId, TENANT,
          AudioSource.url("https://songs.example/" + jobId + ".mp3"), List.of("musicxml"), 0, Map.of(), Map.of(),
          Instant.now()), JobCommands.Meta.none()));
      // A line that is not about the job still is one object per line, with MDC entries as fields of their own.
      MDC.put("requestId", "r-1");
      LoggerFactory.getLogger("io.songmap.test").warn("a \"quoted\"\nmessage");
      MDC.remove("requestId");

      JsonObject failure = Awaitility.await().atMost(60, TimeUnit.SECONDS)
          .until(() -> line(captured, jobId, "ERROR"), Objects::nonNull);
      assertThat(failure.getString("logger")).isEqualTo(StageWorker.class.getName());
      assertThat(failure.getString("jobId")).isEqualTo(jobId);
      assertThat(failure.getString("tenant")).isEqualTo(TENANT);
      assertThat(failure.getString("stage")).isEqualTo("ingest");
      assertThat(failure.getInteger("attempt")).isEqualTo(1);
      assertThat(failure.getString("message")).contains("handler failed unexpectedly");
      assertThat(failure.getString("exception")).contains("IllegalStateException: the decoder gave up");
      assertThat(failure.getString("thread")).isNotBlank();
      assertThat(Instant.parse(failure.getString("timestamp"))).isBetween(Instant.now().minusSeconds(120),
          Instant.now());

      JsonObject plain = line(captured, "quoted", "WARN");
      assertThat(plain).isNotNull();
      assertThat(plain.getString("message")).isEqualTo("a \"quoted\"\nmessage");
      assertThat(plain.getString("requestId")).isEqualTo("r-1");
      assertThat(plain.containsKey("jobId")).isFalse();
    } finally {
      System.setErr(stderr);
      await(vertx.close());
      configure(LogFormat.TEXT);
    }
  }

  /** The first line of {@code captured} at {@code level} that mentions {@code text}, each line read as JSON. */
  private static JsonObject line(ByteArrayOutputStream captured, String text, String level) {
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains(text)) {
        JsonObject json = new JsonObject(line);
        if (level.equals(json.getString("level"))) {
          return json;
        }
      }
    }
    return null;
  }

  private static void configure(LogFormat format) throws Exception {
    format.use();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(JsonLogsIT.class.getResource("/logback.xml"));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
