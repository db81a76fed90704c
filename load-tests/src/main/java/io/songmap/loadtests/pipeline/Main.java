package io.songmap.loadtests.pipeline;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.EmbeddedKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.LoggerFactory;

/**
 * The pipeline benchmark: {@code load-tests/run pipeline --help}. Jobs go through the whole stage graph
 * (six durable stages) with handlers that do nothing, over an in-process Kafka broker and a local
 * PostgreSQL: the relay, six stage workers and the Job aggregate, as in production. It measures
 * orchestration overhead the way the peer {@code ../shared/peers/celery-chain} does: throughput with
 * N jobs submitted at once, and latency from submit to JobCompleted at a steady 20 jobs/s.
 */
public final class Main {
  private static final String TENANT = "bench";
  private static final String DATABASE = "songmap_bench_pipeline";

  record Options(int jobs, double rate, Duration paced, int warmup, String pgUrl, int partitions, int poolSize,
      int eventLoops, int maxInFlight) {

    static String help() {
      return String.join("\n",
          "load-tests/run pipeline [options]",
          "  Drives jobs through ingest → separate → {drums, melody_bass, lyrics} → package with zero-cost",
          "  handlers: in-process Kafka (KRaft), PostgreSQL database " + DATABASE + " (created if missing,",
          "  tables fresh each run), the relay and six stage workers. Prints one line:",
          "  pipeline: <N> jobs, <X> jobs/s (all at once), p50 <ms> ms, p99 <ms> ms (paced at 20 jobs/s)",
          "",
          "  --jobs N            jobs submitted at once in the throughput phase (default 2000)",
          "  --rate R            jobs per second in the latency phase (default 20)",
          "  --paced-seconds S   length of the latency phase (default 25)",
          "  --warmup N          jobs run first and not measured (default 300)",
          "  --partitions N      partitions per topic (default 4)",
          "  --pool N            PostgreSQL connections (default 16)",
          "  --event-loops N     Vert.x event loops (default 4)",
          "  --max-in-flight N   tasks per stage worker at once (default 64)",
          "  PostgreSQL: SONGMAP_PG_URL (postgresql://user[:password]@host[:port]/db; the db part is replaced),",
          "  default " + TestPostgres.DEFAULT_URL);
    }

    static Options parse(String[] args) {
      int jobs = 2000;
      double rate = 20;
      int pacedSeconds = 25;
      int warmup = 300;
      int partitions = 4;
      int pool = 16;
      int loops = 4;
      int maxInFlight = 64;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--jobs" -> jobs = Integer.parseInt(value);
          case "--rate" -> rate = Double.parseDouble(value);
          case "--paced-seconds" -> pacedSeconds = Integer.parseInt(value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--partitions" -> partitions = Integer.parseInt(value);
          case "--pool" -> pool = Integer.parseInt(value);
          case "--event-loops" -> loops = Integer.parseInt(value);
          case "--max-in-flight" -> maxInFlight = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + help());
        }
        i++;
      }
      if (jobs < 1 || rate <= 0 || pacedSeconds < 1 || warmup < 0 || partitions < 1 || pool < 2 || loops < 1
          || maxInFlight < 1) {
        throw new IllegalArgumentException("every option must be positive\n" + help());
      }
      String url = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
      return new Options(jobs, rate, Duration.ofSeconds(pacedSeconds), warmup, url, partitions, pool, loops,
          maxInFlight);
    }
  }

  private final Options options;
  private final Vertx vertx;
  private final EmbeddedKafka kafka;
  private final PgConnectOptions pg;
  private final Pool pool;
  private final PgEventStore store;
  private final JobCommands commands;
  private final Completions completions;

  private Main(Options options) {
    this.options = options;
    long t0 = System.nanoTime();
    this.kafka = EmbeddedKafka.start(Map.of("num.partitions", Integer.toString(options.partitions())));
    log("Kafka broker at %s (%d ms)", kafka.bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
    this.pg = TestPostgres.parse(options.pgUrl()).setDatabase(DATABASE).setCachePreparedStatements(true)
        .setPipeliningLimit(256).addProperty("application_name", "songmap-bench-pipeline");
    freshDatabase(pg);
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(options.poolSize())).connectingTo(pg).using(vertx)
        .build();
    this.store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
    KafkaTopics.DEFAULT.createAllBlocking(kafka.bootstrapServers(), options.partitions(), (short) 1,
        Duration.ofSeconds(30));
    this.commands = new JobCommands(vertx, store);
    this.completions = new Completions(kafka.bootstrapServers(), KafkaTopics.DEFAULT.jobEvents());
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(Options.help());
      return;
    }
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    logToStderr();
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Main main = new Main(options);
    int code = 0;
    try {
      main.run();
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      main.close();
    }
    System.exit(code);
  }

  private void run() throws Exception {
    await(vertx.deployVerticle(new Relay(store, pg, RelayConfig.defaults(kafka.bootstrapServers()))));
    StageWorkerConfig workerConfig = StageWorkerConfig.defaults(kafka.bootstrapServers())
        .withMaxInFlight(options.maxInFlight());
    for (Stage stage : Stage.values()) {
      await(vertx.deployVerticle(new StageWorker(stage,
          (task, ctx) -> Future.succeededFuture(StageResult.completed(Map.of())), commands, workerConfig)));
    }
    completions.start();

    if (options.warmup() > 0) {
      List<String> warm = burst("warm", options.warmup());
      log("warm-up: %d jobs in %.1f s", warm.size(), seconds(warm));
    }

    List<String> burst = burst("burst", options.jobs());
    double burstSeconds = seconds(burst);
    double jobsPerSecond = options.jobs() / burstSeconds;
    log("throughput: %d jobs in %.2f s = %.1f jobs/s", options.jobs(), burstSeconds, jobsPerSecond);
    Thread.sleep(1000);

    Histogram latency = paced();
    double p50 = latency.getValueAtPercentile(50) / 1000.0;
    double p99 = latency.getValueAtPercentile(99) / 1000.0;
    log("latency at %.0f jobs/s: %d jobs, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", options.rate(),
        latency.getTotalCount(), p50, latency.getValueAtPercentile(90) / 1000.0, p99, latency.getMaxValue() / 1000.0);
    System.out.printf(Locale.ROOT,
        "pipeline: %d jobs, %.1f jobs/s (all at once), p50 %.1f ms, p99 %.1f ms (paced at %s jobs/s)%n",
        options.jobs(), jobsPerSecond, p50, p99, formatRate(options.rate()));
  }

  private final Map<String, Instant> submittedAt = new ConcurrentHashMap<>();

  /** Submits {@code n} jobs at once and waits until all completed; returns their ids. */
  private List<String> burst(String prefix, int n) throws InterruptedException {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + "-" + UUID.randomUUID());
    }
    CountDownLatch done = completions.expect(ids);
    Promise<Void> submitted = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<?>> all = new ArrayList<>(n);
      for (String id : ids) {
        all.add(submit(id));
      }
      Future.all(all).<Void>mapEmpty().onComplete(submitted);
    });
    await(submitted.future());
    if (!done.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException(prefix + ": only " + (n - done.getCount()) + " of " + n + " jobs completed");
    }
    return ids;
  }

  /** Submits at a steady rate for the paced duration and returns submit → JobCompleted latencies in µs. */
  private Histogram paced() throws InterruptedException {
    int n = (int) Math.round(options.rate() * options.paced().toSeconds());
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("paced-" + UUID.randomUUID());
    }
    CountDownLatch done = completions.expect(ids);
    long periodNanos = (long) (1_000_000_000L / options.rate());
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * periodNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String id = ids.get(i);
      vertx.runOnContext(v -> submit(id));
    }
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("paced: only " + (n - done.getCount()) + " of " + n + " jobs completed");
    }
    Histogram h = new Histogram(60_000_000L, 3);
    Histogram observed = new Histogram(60_000_000L, 3);
    Map<String, Instant> completed = completedAt(ids);
    for (String id : ids) {
      h.recordValue(Math.max(0, Duration.between(submittedAt.get(id), completed.get(id)).toNanos() / 1000));
      observed.recordValue(Math.max(0, completions.observedMicros(id)));
    }
    log("as seen by a job-events consumer: p50 %.1f ms, p99 %.1f ms", observed.getValueAtPercentile(50) / 1000.0,
        observed.getValueAtPercentile(99) / 1000.0);
    return h;
  }

  private Future<JobCommands.Outcome> submit(String jobId) {
    Instant at = Instant.now();
    submittedAt.put(jobId, at);
    completions.submitted(jobId);
    JobCommand submit = new JobCommand.SubmitJob(jobId, TENANT, AudioSource.url("https://bench.example/" + jobId),
        List.of("musicxml", "midi"), 0, Map.of(), Map.of(), at);
    return commands.handle(TENANT, submit, new JobCommands.Meta(jobId, null))
        .onFailure(e -> log("submitting %s failed: %s", jobId, e));
  }

  /** When each job's JobCompleted was recorded (the store's clock, the same machine as ours). */
  private Map<String, Instant> completedAt(List<String> ids) {
    Map<String, Instant> at = new ConcurrentHashMap<>();
    for (Row row : await(pool.preparedQuery("SELECT stream_id, recorded_at FROM es_event"
        + " WHERE type = 'JobCompleted' AND tenant = $1 AND stream_id = ANY($2)")
        .execute(Tuple.tuple().addString(TENANT).addArrayOfString(ids.toArray(String[]::new))))) {
      at.put(row.getString(0), row.getOffsetDateTime(1).toInstant());
    }
    return at;
  }

  /** Seconds from the first submission to the last JobCompleted recorded. */
  private double seconds(List<String> ids) {
    Instant first = ids.stream().map(submittedAt::get).min(Instant::compareTo).orElseThrow();
    Instant last = completedAt(ids).values().stream().max(Instant::compareTo).orElseThrow();
    return Duration.between(first, last).toNanos() / 1e9;
  }

  private void close() {
    completions.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("closing Vert.x: %s", e);
    }
    kafka.close();
  }

  /** Follows songmap.job-events.v1 like any downstream consumer and counts JobCompleted events. */
  private static final class Completions {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    private final Map<String, Long> submittedNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> observedMicros = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Completions(String bootstrap, String topic) {
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-watch-" + UUID.randomUUID());
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
      consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(List.of(topic));
      thread = new Thread(this::loop, "bench-job-events");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    CountDownLatch expect(List<String> ids) {
      CountDownLatch latch = new CountDownLatch(ids.size());
      ids.forEach(id -> waiting.put(id, latch));
      return latch;
    }

    void submitted(String id) {
      submittedNanos.put(id, System.nanoTime());
    }

    long observedMicros(String id) {
      return observedMicros.getOrDefault(id, 0L);
    }

    private void loop() {
      while (running.get()) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          var event = AvroWire.jobEvent().decode(r.value());
          if (event.getType().equals("JobCompleted")) {
            long now = System.nanoTime();
            CountDownLatch latch = waiting.remove(event.getJobId());
            if (latch != null) {
              Long sent = submittedNanos.get(event.getJobId());
              if (sent != null) {
                observedMicros.put(event.getJobId(), (now - sent) / 1000);
              }
              latch.countDown();
            }
          }
        }
      }
      consumer.close();
    }

    void close() {
      running.set(false);
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }

  private static void freshDatabase(PgConnectOptions target) {
    Vertx v = Vertx.vertx();
    try {
      Pool admin = PgBuilder.pool().connectingTo(new PgConnectOptions(target).setDatabase("postgres")).using(v).build();
      boolean exists = await(admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
          .execute(Tuple.of(target.getDatabase()))).size() > 0;
      if (!exists) {
        log("creating database %s", target.getDatabase());
        await(admin.query("CREATE DATABASE " + target.getDatabase()).execute());
      }
      await(admin.close());
      Pool db = PgBuilder.pool().connectingTo(target).using(v).build();
      await(db.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public").execute());
      await(db.close());
    } finally {
      await(v.close());
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }

  private static void logToStderr() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(appender);
  }
}
