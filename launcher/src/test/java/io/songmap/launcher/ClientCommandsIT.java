package io.songmap.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.gateway.Gateway;
import io.songmap.gateway.GatewayConfig;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.TestKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The client and operator commands against a real gateway on a fresh database and the shared Kafka broker, with
 * the real relay and stage workers whose work is trivial: jobs go through every stage in milliseconds. The drums
 * stage reports the drum model version it was asked for, so that reprocessing with another one shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientCommandsIT {
  private static final Pattern JOB_LINE = Pattern.compile("job (\\S+): (submitted|running)");

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<Promise<StageResult>> heldDrums = new AtomicReference<>();
  private final AtomicReference<Promise<Void>> drumsHeld = new AtomicReference<>();
  private PgConnectOptions pg;
  private String pgUrl;
  private Path artifacts;
  private Gateway gateway;
  private Pool pool;
  private String api;
  private String key;

  @BeforeAll
  void start() throws Exception {
    pg = TestPostgres.freshDatabase("launcher-client-it");
    pgUrl = "postgresql://" + pg.getUser() + (pg.getPassword() == null ? "" : ":" + pg.getPassword()) + "@"
        + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase();
    artifacts = Files.createTempDirectory("launcher-client-it");
    KafkaTopics topics = new KafkaTopics("t" + Long.toString(System.nanoTime(), 36) + ".");
    String kafka = TestKafka.bootstrapServers();
    TestKafka.createTopics(2, topics.all());
    gateway = join(Gateway.start(vertx, GatewayConfig.defaults().withPort(0).withStorage(pgUrl, artifacts)
        .withKafka(kafka, topics, false).withLimits(8L << 20, 20, Set.of("localhost"))));
    api = "http://127.0.0.1:" + gateway.port();
    key = join(gateway.tenants().create("acme")).apiKey();
    pool = PgBuilder.pool().connectingTo(pg).using(vertx).build();
    PgEventStore store = new PgEventStore(pool, PgEventStoreOptions.DEFAULT);
    JobCommands commands = new JobCommands(vertx, store);
    join(vertx.deployVerticle(new Relay(store, pg, RelayConfig.defaults(kafka).withTopics(topics)
        .withLease(Duration.ofSeconds(5), Duration.ofMillis(250)))));
    StageWorkerConfig workers = StageWorkerConfig.defaults(kafka).withTopics(topics).withMaxInFlight(8)
        .withShutdownGrace(Duration.ofMillis(200));
    for (Stage stage : Stage.values()) {
      join(vertx.deployVerticle(new StageWorker(stage, this::work, commands, workers)));
    }
  }

  private Future<StageResult> work(StageTask task, StageContext ctx) {
    ctx.reportProgress(0.5);
    if (task.stage() != Stage.DRUMS) {
      return Future.succeededFuture(StageResult.completed(Map.of("done", task.stage().wireName())));
    }
    StageResult done = StageResult.completed(Map.of("hits", "0"),
        new ModelRef("drum_cnn", task.modelVersions().getOrDefault("drum_cnn", "1")));
    Promise<Void> signal = drumsHeld.get();
    if (signal == null) {
      return Future.succeededFuture(done);
    }
    Promise<StageResult> held = Promise.promise();
    heldDrums.set(held);
    signal.tryComplete();
    return held.future().map(v -> done);
  }

  @AfterAll
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  @Order(1)
  void tenantsCreatePrintsAKeyThatTheGatewayTakes() {
    Run created = songmap("tenants", "create", "globex", "--pg-url", pgUrl);
    assertThat(created.exit).as(created.err).isZero();
    String newKey = created.out.strip();
    assertThat(newKey).startsWith("smk_").doesNotContain("\n");
    assertThat(created.err).contains("tenant globex created");

    assertThat(new ApiClient(api, newKey).jobs(null, null, 10).getJsonArray("jobs")).isEmpty();

    Run again = songmap("tenants", "create", "globex", "--pg-url", pgUrl);
    assertThat(again.exit).isEqualTo(1);
    assertThat(again.err).contains("already exists");
    Run invalid = songmap("tenants", "create", "Not A Name", "--pg-url", pgUrl);
    assertThat(invalid.exit).isEqualTo(1);
    assertThat(invalid.err).contains("must match");

    Run second = songmap("tenants", "add-key", "globex", "--pg-url", pgUrl);
    assertThat(second.exit).as(second.err).isZero();
    String secondKey = second.out.strip();
    assertThat(secondKey).startsWith("smk_").isNotEqualTo(newKey);
    Run revoked = songmap("tenants", "revoke", newKey, "--pg-url", pgUrl);
    assertThat(revoked.exit).as(revoked.err).isZero();
    assertThat(new ApiClient(api, secondKey).jobs(null, null, 10).getJsonArray("jobs")).isEmpty();
    assertThatThrownBy(() -> new ApiClient(api, newKey).jobs(null, null, 10))
        .isInstanceOfSatisfying(ApiClient.ApiException.class, e -> assertThat(e.status).isEqualTo(401));
    assertThat(songmap("tenants", "add-key", "initech", "--pg-url", pgUrl).err).contains("no tenant initech");
  }

  @Test
  @Order(2)
  void submitStreamsTheFileAndWatchesTheJobToCompletion() throws Exception {
    Path song = Files.createTempFile(artifacts, "song", ".mp3");
    byte[] bytes = new byte[3 << 20];
    new Random(7).nextBytes(bytes);
    Files.write(song, bytes);

    Run run = songmap("submit", song.toString(), "--api", api, "--key", key, "--idempotency-key", "song-1",
        "--watch");

    assertThat(run.exit).as(run.out + run.err).isZero();
    String jobId = jobId(run.out);
    assertThat(run.out).contains("job " + jobId + ": completed");
    assertThat(run.out).containsPattern("drums +\\[#{24}\\] 100%  completed");
    assertThat(run.out).containsPattern("package +\\[#{24}\\] 100%  completed");
    try (Stream<Path> files = Files.walk(artifacts.resolve("acme").resolve(jobId))) {
      List<Path> uploads = files.filter(f -> Files.isRegularFile(f) && !f.toString().endsWith(".sha256")).toList();
      assertThat(uploads).hasSize(1);
      assertThat(Files.readAllBytes(uploads.get(0))).isEqualTo(bytes);
    }

    Run repeat = songmap("submit", song.toString(), "--api", api, "--key", key, "--idempotency-key", "song-1");
    assertThat(repeat.exit).isZero();
    assertThat(repeat.out).contains("job " + jobId + ": completed (made earlier with this idempotency key)");
  }

  @Test
  @Order(3)
  void watchResumesAfterTheConnectionDropsAndReportsFailures() throws Exception {
    CuttableProxy proxy = new CuttableProxy(vertx, gateway.port());
    Promise<Void> drumsStarted = Promise.promise();
    drumsHeld.set(drumsStarted);
    try {
      Run submitted = songmap("submit", "http://localhost/held.mp3", "--api", proxy.url(), "--key", key);
      assertThat(submitted.exit).as(submitted.err).isZero();
      String jobId = jobId(submitted.out);
      join(drumsStarted.future());

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CompletableFuture<Integer> watching = CompletableFuture.supplyAsync(() -> command(out, err)
          .execute("watch", jobId, "--api", proxy.url(), "--key", key));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(out.toString())
          .as("watch output (stderr: %s)", err).contains("separate"));
      proxy.cut();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(err.toString())
          .as("watch stderr (output: %s)", out).contains("connection lost"));
      heldDrums.get().complete();

      assertThat(watching.get(30, TimeUnit.SECONDS)).as(out + "\n" + err).isZero();
      assertThat(err.toString()).contains("resuming from version");
      assertThat(out.toString()).contains("job " + jobId + ": completed");
      assertThat(out.toString().lines().filter(l -> l.startsWith("package ") && l.contains("completed")))
          .hasSize(1);
    } finally {
      drumsHeld.set(null);
      Promise<StageResult> held = heldDrums.getAndSet(null);
      if (held != null) {
        held.tryComplete(); // whatever happened above, the job ends, so that the next tests count it
      }
      proxy.close();
    }

    Run unknown = songmap("watch", "no-such-job", "--api", api, "--key", key);
    assertThat(unknown.exit).isEqualTo(3);
    assertThat(unknown.err).contains("404").contains("NOT_FOUND");
    Run badKey = songmap("watch", "no-such-job", "--api", api, "--key", "smk_wrong");
    assertThat(badKey.exit).isEqualTo(3);
    assertThat(badKey.err).contains("401");
  }

  @Test
  @Order(4)
  void reprocessRunsAJobAgainWithAnotherModelAndWatchFollowsTheNewRun() {
    Run submitted = songmap("submit", "http://localhost/again.mp3", "--api", api, "--key", key, "--watch");
    assertThat(submitted.exit).as(submitted.err).isZero();
    String jobId = jobId(submitted.out);

    Run reprocessed = songmap("reprocess", jobId, "--from", "drums", "--model", "drum_cnn=2", "--api", api,
        "--key", key, "--watch");

    assertThat(reprocessed.exit).as(reprocessed.out + reprocessed.err).isZero();
    assertThat(reprocessed.out).contains("job " + jobId + ": reprocessing from drums, run 2");
    assertThat(reprocessed.out).contains("job " + jobId + ": completed");
    assertThat(reprocessed.out.lines().filter(l -> l.startsWith("package ") && l.contains("completed")))
        .as("drawn from the reprocess on").hasSize(1);
    JsonObject job = new ApiClient(api, key).job(jobId);
    assertThat(job.getInteger("run")).isEqualTo(2);
    assertThat(job.getJsonObject("stages").getJsonObject("drums").getJsonObject("model").getString("version"))
        .isEqualTo("2");

    // Watching the reprocessed job from the start goes past the first run's end to the second's.
    Run watched = songmap("watch", jobId, "--api", api, "--key", key);
    assertThat(watched.exit).isZero();
    assertThat(watched.out).contains("job " + jobId + ": completed");

    Run unknownStage = songmap("reprocess", jobId, "--from", "mixing", "--api", api, "--key", key);
    assertThat(unknownStage.exit).isEqualTo(2);
    Run noKey = songmap("reprocess", jobId, "--from", "drums", "--api", api, "--key", "");
    assertThat(noKey.exit).isEqualTo(2);
    assertThat(noKey.err).contains("an API key is needed");
    Run running = songmap("reprocess", "no-such-job", "--from", "drums", "--api", api, "--key", key);
    assertThat(running.exit).isEqualTo(3);
    assertThat(running.err).contains("404");
  }

  @Test
  @Order(5)
  void bulkReprocessSelectsByModelVersionAndDateAtABoundedRate() {
    for (int i = 0; i < 2; i++) {
      Run more = songmap("submit", "http://localhost/bulk-" + i + ".mp3", "--api", api, "--key", key, "--watch");
      assertThat(more.exit).as(more.err).isZero();
    }
    ApiClient client = new ApiClient(api, key);
    List<Map.Entry<String, Integer>> before = completedJobs(client);
    assertThat(before).hasSize(5);
    long onVersion1 = before.size() - 1; // the job of the previous test ran drum_cnn 2

    Run dry = songmap("reprocess", "--all", "--state", "completed", "--model-version", "drum_cnn=1", "--from",
        "package", "--rate", "50", "--dry-run", "--api", api, "--key", key);
    assertThat(dry.exit).as(dry.err).isZero();
    assertThat(dry.out).contains("would reprocess " + onVersion1 + " of " + before.size() + " completed job(s)");
    assertThat(completedJobs(client)).isEqualTo(before);

    Run none = songmap("reprocess", "--all", "--state", "completed", "--since", "2999-01-01", "--from", "package",
        "--rate", "50", "--api", api, "--key", key);
    assertThat(none.exit).isZero();
    assertThat(none.out).contains("matched 0 of " + before.size());

    long start = System.nanoTime();
    Run bulk = songmap("reprocess", "--all", "--state", "completed", "--model-version", "drum_cnn=1", "--until",
        "2999-01-01", "--from", "package", "--rate", "10", "--api", api, "--key", key);
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(bulk.exit).as(bulk.out + bulk.err).isZero();
    assertThat(bulk.out).contains("matched " + onVersion1 + " of " + before.size() + " completed job(s); "
        + onVersion1 + " reprocessed, 0 refused");
    assertThat(seconds).isGreaterThanOrEqualTo((onVersion1 - 1) / 10.0);
    // The jobs on drum_cnn 1 were on their first run; the one on drum_cnn 2 was not selected.
    List<Map.Entry<String, Integer>> after = before.stream()
        .map(j -> Map.entry(j.getKey(), j.getValue() == 1 ? 2 : j.getValue())).toList();
    await().atMost(Duration.ofSeconds(30)).until(() -> completedJobs(client).equals(after));
  }

  @Test
  @Order(6)
  void replayRebuildsTheStatusProjection() throws Exception {
    join(gateway.stop()); // the projection's owner, whose lease the replay needs
    long jobs = join(pool.query("SELECT count(DISTINCT (tenant, stream_id)) FROM es_event").execute())
        .iterator().next().getLong(0);
    long events = join(pool.query("SELECT count(*) FROM es_event").execute()).iterator().next().getLong(0);
    join(pool.query("DELETE FROM job_status").execute());

    Run replay = songmap("replay", "--projection", "job-status", "--pg-url", pgUrl);

    assertThat(replay.exit).as(replay.err).isZero();
    Matcher m = Pattern.compile("job-status: (\\d+) events replayed in [0-9.]+ s \\(\\d+ events/s\\);"
        + " table job_status swapped in with (\\d+) rows").matcher(replay.out);
    assertThat(m.find()).as(replay.out).isTrue();
    // Up to the checkpoint the gateway left, which every job's last event is behind: all events, or nearly.
    assertThat(Long.parseLong(m.group(1))).isBetween(events - 10, events);
    assertThat(Long.parseLong(m.group(2))).isEqualTo(jobs);
    assertThat(join(pool.query("SELECT count(*) FROM job_status WHERE state = 'COMPLETED'").execute())
        .iterator().next().getLong(0)).isEqualTo(jobs);

    Run unknown = songmap("replay", "--projection", "nope", "--pg-url", pgUrl);
    assertThat(unknown.exit).isEqualTo(2);
  }

  /** Every completed job of the tenant with its run. */
  private static List<Map.Entry<String, Integer>> completedJobs(ApiClient client) {
    return client.jobs("COMPLETED", null, 100).getJsonArray("jobs").stream().map(JsonObject.class::cast)
        .map(j -> Map.entry(j.getString("id"), j.getInteger("run"))).sorted(Map.Entry.comparingByKey()).toList();
  }

  private static String jobId(String out) {
    Matcher m = JOB_LINE.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  private record Run(int exit, String out, String err) {}

  private static Run songmap(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = command(out, err).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static picocli.CommandLine command(StringWriter out, StringWriter err) {
    picocli.CommandLine cl = new picocli.CommandLine(new Songmap());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl;
  }

  private static <T> T join(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  /** A TCP relay in front of the gateway whose connections the test can cut, as a network failure would. */
  private static final class CuttableProxy implements AutoCloseable {
    private final NetServer server;
    private final List<NetSocket> sockets = new CopyOnWriteArrayList<>();

    CuttableProxy(Vertx vertx, int targetPort) {
      var client = vertx.createNetClient();
      server = join(vertx.createNetServer().connectHandler(in -> {
        in.pause();
        client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
          sockets.add(in);
          sockets.add(out);
          in.pipeTo(out);
          out.pipeTo(in);
          in.resume();
        }).onFailure(e -> in.close());
      }).listen(0, "127.0.0.1"));
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    void cut() {
      sockets.forEach(NetSocket::close);
      sockets.clear();
    }

    @Override
    public void close() {
      cut();
      server.close();
    }
  }
}
