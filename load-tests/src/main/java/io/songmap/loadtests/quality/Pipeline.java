package io.songmap.loadtests.quality;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import io.songmap.audio.wav.WavReader;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.inference.cpu.CpuServer;
import io.songmap.inference.cpu.CpuServerConfig;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobState;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobEventJson;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.EnvValues;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.EmbeddedKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline in this process, as {@code songmap run} assembles it: an in-process Kafka
 * broker, PostgreSQL (database {@value #DATABASE}, tables fresh on every start), the CPU inference
 * server on a free port reached over gRPC, a local artifact store, the relay and the six stage
 * workers with the real stages. Songs go in as jobs (SubmitJob with the file stored as the source
 * object); what comes back is the job's Song Map and separated stems.
 */
final class Pipeline implements AutoCloseable {
  static final String DATABASE = "songmap_bench_quality";
  static final String TENANT = "quality";

  private final Vertx vertx;
  private final List<AutoCloseable> closers = new ArrayList<>();
  private final LocalArtifactStore artifacts;
  private final PgEventStore store;
  private final JobCommands commands;

  /** One processed song. */
  record Result(String jobId, JobState state, SongMap map, Map<String, PcmAudio> stems, double seconds,
      Map<Stage, Double> stageSeconds) {}

  private Pipeline(Vertx vertx, LocalArtifactStore artifacts, PgEventStore store, JobCommands commands) {
    this.vertx = vertx;
    this.artifacts = artifacts;
    this.store = store;
    this.commands = commands;
  }

  static Pipeline start(String pgUrl, Path workDir) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<AutoCloseable> closers = new ArrayList<>();
    try {
      EmbeddedKafka kafka = EmbeddedKafka.start(Map.of());
      closers.add(kafka);
      String bootstrap = kafka.bootstrapServers();
      KafkaTopics.DEFAULT.createAllBlocking(bootstrap, 4, (short) 1, Duration.ofSeconds(60));

      PgConnectOptions pg = TestPostgres.parse(pgUrl).setDatabase(DATABASE).setCachePreparedStatements(true)
          .addProperty("application_name", "songmap-bench-quality");
      freshDatabase(vertx, pg);
      Pool pool = PgBuilder.pool().connectingTo(pg).with(new PoolOptions().setMaxSize(8)).using(vertx).build();
      PgEventStore store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT), "opening the event store");
      JobCommands commands = new JobCommands(vertx, store);

      CpuServer server = CpuServer.start(CpuServerConfig.defaults(0), CpuModels.defaults());
      closers.add(server);
      TritonClient triton = TritonClient.create(TritonClientConfig.of("localhost:" + server.port())
          .withDeadline(Duration.ofMinutes(5)));
      closers.add(triton);
      LocalArtifactStore artifacts = new LocalArtifactStore(vertx, workDir.resolve("artifacts"));

      Map<String, String> env = new LinkedHashMap<>(System.getenv());
      env.put("SONGMAP_KAFKA_BOOTSTRAP", bootstrap);
      env.putIfAbsent("SONGMAP_PDF", "false");
      env.putIfAbsent("SONGMAP_STAGE_WORK_DIR", workDir.resolve("stage-work").toString());
      EnvValues values = new EnvValues(env);
      await(vertx.deployVerticle(new Relay(store, pg, RelayConfig.defaults(bootstrap))), "starting the relay");
      Map<Stage, StageHandler> handlers = Stages.create(vertx, artifacts, triton, Stages.Settings.fromEnv(values));
      StageWorkerConfig config = StageWorkerConfig.fromEnv(values);
      for (Stage stage : Stage.values()) {
        await(vertx.deployVerticle(new StageWorker(stage, handlers.get(stage), commands, config)),
            "starting the " + stage.wireName() + " worker");
      }
      Pipeline pipeline = new Pipeline(vertx, artifacts, store, commands);
      pipeline.closers.addAll(closers);
      return pipeline;
    } catch (Exception | Error e) {
      vertx.close();
      for (AutoCloseable c : closers) {
        c.close();
      }
      throw e;
    }
  }

  /** Submits {@code audio} as a job and waits until it is finished; fails unless it completed. */
  Result process(Path audio, Duration timeout) throws Exception {
    String jobId = "q-" + UUID.randomUUID();
    ArtifactKey upload = new ArtifactKey(TENANT, jobId, "upload/" + audio.getFileName());
    await(artifacts.put(upload, audio), "storing " + audio);
    long t0 = System.nanoTime();
    await(commands.handle(TENANT, new JobCommand.SubmitJob(jobId, TENANT, AudioSource.objectKey(upload.path()),
        List.of("songmap"), 0, Map.of("fileName", audio.getFileName().toString()), Map.of(), Instant.now()),
        new JobCommands.Meta(jobId, null)), "submitting " + jobId);
    long deadline = t0 + timeout.toNanos();
    JobState state;
    while (true) {
      state = await(commands.load(TENANT, jobId), "reading " + jobId);
      if (state.isFinished()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("job " + jobId + " still " + state.status() + " after " + timeout);
      }
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (state.status() != JobStatus.COMPLETED) {
      throw new IllegalStateException("job " + jobId + " for " + audio.getFileName() + " " + state.status()
          + state.error().map(e -> " at " + e.stage().wireName() + ": " + e.code() + ": " + e.message()).orElse(""));
    }
    Path mapFile = localFile(state.outputs(Stage.PACKAGE).get("songmap"));
    SongMap map = SongMapJson.read(Files.readString(mapFile, StandardCharsets.UTF_8));
    Map<String, PcmAudio> stems = new LinkedHashMap<>();
    for (String stem : List.of("drums", "bass", "other", "vocals")) {
      String key = state.outputs(Stage.SEPARATE).get(stem);
      if (key != null) {
        stems.put(stem, WavReader.read(localFile(key)));
      }
    }
    return new Result(jobId, state, map, stems, seconds, stageSeconds(jobId));
  }

  /** Wall time of each stage's last attempt, from its StageStarted to its StageCompleted event. */
  private Map<Stage, Double> stageSeconds(String jobId) {
    List<RecordedEvent> events = await(store.readStream(TENANT, JobCommands.streamId(jobId), 1), "reading events")
        .events();
    Map<Stage, Instant> started = new EnumMap<>(Stage.class);
    Map<Stage, Double> seconds = new EnumMap<>(Stage.class);
    for (RecordedEvent recorded : events) {
      JobEvent e = JobEventJson.fromJson(recorded.type(), recorded.dataJson());
      if (e instanceof JobEvent.StageStarted s) {
        started.put(s.stage(), s.at());
      } else if (e instanceof JobEvent.StageCompleted c && started.containsKey(c.stage())) {
        seconds.put(c.stage(), Duration.between(started.get(c.stage()), c.at()).toMillis() / 1000.0);
      }
    }
    return seconds;
  }

  private Path localFile(String key) {
    if (key == null) {
      throw new IllegalStateException("the job left no such output");
    }
    return await(artifacts.localFile(ArtifactKey.parse(key)), "reading " + key);
  }

  private static void freshDatabase(Vertx vertx, PgConnectOptions target) {
    Pool admin = PgBuilder.pool().connectingTo(new PgConnectOptions(target).setDatabase("postgres")).using(vertx)
        .build();
    try {
      boolean exists = await(admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
          .execute(Tuple.of(target.getDatabase())), "reaching PostgreSQL at " + target.getHost() + ":" + target.getPort()
          + " (start it with scripts/ensure-postgres, or set SONGMAP_PG_URL)").size() > 0;
      if (!exists) {
        await(admin.query("CREATE DATABASE " + target.getDatabase()).execute(), "creating the database");
      }
    } finally {
      await(admin.close(), "closing");
    }
    Pool db = PgBuilder.pool().connectingTo(target).using(vertx).build();
    try {
      await(db.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public").execute(), "emptying the database");
    } finally {
      await(db.close(), "closing");
    }
  }

  static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " took longer than 10 minutes", e);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // Shutting down anyway.
    }
    for (int i = closers.size() - 1; i >= 0; i--) {
      try {
        closers.get(i).close();
      } catch (Exception ignored) {
        // Best effort.
      }
    }
  }
}
