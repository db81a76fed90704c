package io.songmap.loadtests.pipeline;

import io.songmap.loadtests.BrokerProcess;
import io.songmap.loadtests.Bench;
import static io.songmap.loadtests.Bench.await;
import static io.songmap.loadtests.Bench.freshDatabase;
import static io.songmap.loadtests.Bench.kdamondTicks;
import static io.songmap.loadtests.Bench.machineTicks;
import ch.qos.logback.classic.Level;
import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.AudioSource;
import io.songmap.job.Job;
import io.songmap.job.JobCommand;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.DirectDispatch;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.EnvValues;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

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
  private static final EventFilter COMPLETED = EventFilter.types("JobCompleted");

  record Options(int jobs, double rate, Duration paced, Duration pacedWarmup, int warmup, int warmupSeconds, double jitSettled,
      String pgUrl, int partitions, int poolSize, int eventLoops, int maxInFlight, int brokerThreads, int gatherMs,
      int fetchMaxWaitMs, boolean brokerInProcess, List<String> brokerJvmOptions, boolean directDispatch) {

    static String help() {
      return String.join("\n",
          "load-tests/run pipeline [options]",
          "  Drives jobs through ingest → separate → {drums, melody_bass, lyrics} → package with zero-cost",
          "  handlers: a Kafka broker (KRaft) in a JVM of its own, PostgreSQL database " + DATABASE,
          "  (created if missing, tables fresh each run), the relay and six stage workers. Prints one line:",
          "  pipeline: <N> jobs, <X> jobs/s (all at once), p50 <ms> ms, p99 <ms> ms (paced at 20 jobs/s)",
          "  Latency runs from the submit call to the start of JobCompleted's append; the log also gives it on the",
          "  store's clock alone (JobSubmitted's append → JobCompleted's, as the peer takes it). JVM options: JAVA_OPTS",
          "  (default -Xms1g -Xmx2g -XX:+UseTransparentHugePages).",
          "",
          "  --jobs N            jobs submitted at once in the throughput phase (default 2000)",
          "  --rate R            jobs per second in the latency phase (default 20)",
          "  --paced-seconds S   length of the latency phase (default 100: 2000 jobs at 20/s, as the peer's)",
          "  --paced-warmup-seconds S  paced load run unmeasured just before it (default 30); it goes on in 10 s",
          "                      slices, up to 120 s in all, until the JIT compiles for at most 2% of a slice",
          "  --warmup N          at least this many jobs run first, not measured (default 2000); warm-up goes on,",
          "                      in rounds of 1000 jobs at once, until the JIT compilers settle (see below)",
          "  --warmup-seconds S  the longest warm-up (default 180)",
          "  --jit-settled F     warm-up ends once the JIT compiled for at most this share of a round's time",
          "                      (default 0.05): the figures are those of a running service, not of a cold JVM",
          "  --partitions N      partitions per topic (default 4)",
          "  --pool N            PostgreSQL connections (default 16)",
          "  --event-loops N     Vert.x event loops (default 2, one per core here)",
          "  --max-in-flight N   tasks per stage worker at once (default 64)",
          "  --broker-threads N  the broker's request handler threads (default 2; network threads: half)",
          "  --broker WHERE      own-jvm (default): the broker runs in a JVM of its own, as deployed, so its GC",
          "                      and JIT do not pause the pipeline's; in-process: inside the benchmark's JVM",
          "  --broker-jvm-options \"OPTS\"  options of the broker's JVM (default \"" + DEFAULT_BROKER_JVM + "\")",
          "  --fetch-max-wait-ms MS  the stage consumers' fetch.max.wait.ms (default: the service's, 100)",
          "  --gather-ms MS      how long a fan-out stage's result waits for its siblings' to share one append",
          "                      (default " + JobCommands.DEFAULT_GATHER_WINDOW.toMillis() + ", as in the service; 0: none)",
          "  --direct-dispatch B true (default, as the service runs the relay and the workers in one process): each",
          "                      stage task goes out as its append commits, and the relay sends only what that",
          "                      missed; false: the relay alone sends every task",
          "  PostgreSQL: SONGMAP_PG_URL (postgresql://user[:password]@host[:port]/db; the db part is replaced),",
          "  default " + TestPostgres.DEFAULT_URL);
    }

    static Options parse(String[] args) {
      int jobs = 2000;
      double rate = 20;
      int pacedSeconds = 100;
      int pacedWarmup = 30;
      int warmup = 2000;
      int warmupSeconds = 180;
      double jitSettled = 0.05;
      int partitions = 4;
      int pool = 16;
      int loops = 2;
      int maxInFlight = 64;
      int brokerThreads = 2;
      int gatherMs = (int) JobCommands.DEFAULT_GATHER_WINDOW.toMillis();
      int fetchMaxWaitMs = 0;
      boolean brokerInProcess = false;
      String brokerJvm = DEFAULT_BROKER_JVM;
      boolean directDispatch = true;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--jobs" -> jobs = Integer.parseInt(value);
          case "--rate" -> rate = Double.parseDouble(value);
          case "--paced-seconds" -> pacedSeconds = Integer.parseInt(value);
          case "--paced-warmup-seconds" -> pacedWarmup = Integer.parseInt(value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
          case "--jit-settled" -> jitSettled = Double.parseDouble(value);
          case "--partitions" -> partitions = Integer.parseInt(value);
          case "--pool" -> pool = Integer.parseInt(value);
          case "--event-loops" -> loops = Integer.parseInt(value);
          case "--max-in-flight" -> maxInFlight = Integer.parseInt(value);
          case "--broker-threads" -> brokerThreads = Integer.parseInt(value);
          case "--gather-ms" -> gatherMs = Integer.parseInt(value);
          case "--fetch-max-wait-ms" -> fetchMaxWaitMs = Integer.parseInt(value);
          case "--broker" -> brokerInProcess = switch (String.valueOf(value)) {
            case "own-jvm" -> false;
            case "in-process" -> true;
            default -> throw new IllegalArgumentException("--broker is own-jvm or in-process, not " + value);
          };
          case "--broker-jvm-options" -> brokerJvm = value;
          case "--direct-dispatch" -> directDispatch = switch (String.valueOf(value)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--direct-dispatch is true or false, not " + value);
          };
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + help());
        }
        i++;
      }
      if (jobs < 1 || rate <= 0 || pacedSeconds < 1 || warmup < 0 || warmupSeconds < 0 || jitSettled <= 0 || pacedWarmup < 0
          || partitions < 1 || pool < 2 || loops < 1
          || maxInFlight < 1 || brokerThreads < 1 || gatherMs < 0 || fetchMaxWaitMs < 0) {
        throw new IllegalArgumentException("every option must be positive\n" + help());
      }
      String url = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
      return new Options(jobs, rate, Duration.ofSeconds(pacedSeconds), Duration.ofSeconds(pacedWarmup), warmup, warmupSeconds, jitSettled, url,
          partitions, pool, loops, maxInFlight, brokerThreads, gatherMs, fetchMaxWaitMs, brokerInProcess,
          brokerJvm == null || brokerJvm.isBlank() ? List.of() : List.of(brokerJvm.trim().split("\\s+")),
          directDispatch);
    }
  }

  private final Options options;
  private final Vertx vertx;
  private static final String DEFAULT_BROKER_JVM = "-Xms512m -Xmx512m -XX:+UseTransparentHugePages";

  /**
   * The broker the benchmark runs against, in this JVM or in one of its own; {@code jitMillis} and {@code cpuNanos}
   * are its own JVM's (0 when it shares this one).
   */
  private record Broker(String bootstrapServers, LongSupplier jitMillis, LongSupplier cpuNanos, Runnable close) {
  }

  private final Broker kafka;
  private final PgConnectOptions pg;
  private final Pool pool;
  private final PgEventStore store;
  private final JobCommands commands;
  private final DirectDispatch dispatch;
  private final Completions completions;

  private Main(Options options) {
    this.options = options;
    long t0 = System.nanoTime();
    // A broker sized to the machine it shares with everything else: its default thread pools (8 I/O, 3 network)
    // are for a machine of its own.
    this.kafka = startBroker(options, Map.of("num.partitions", Integer.toString(options.partitions()),
        "num.io.threads", Integer.toString(options.brokerThreads()),
        "num.network.threads", Integer.toString(Math.max(1, options.brokerThreads() / 2))));
    log("Kafka broker at %s, %s (%d ms)", kafka.bootstrapServers(),
        options.brokerInProcess() ? "in this JVM" : "in a JVM of its own " + options.brokerJvmOptions(),
        (System.nanoTime() - t0) / 1_000_000);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
    this.pg = TestPostgres.parse(options.pgUrl()).setDatabase(DATABASE).setCachePreparedStatements(true)
        .setPipeliningLimit(256).addProperty("application_name", "songmap-bench-pipeline");
    freshDatabase(pg);
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(options.poolSize())).connectingTo(pg).using(vertx)
        .build();
    this.store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
    KafkaTopics.DEFAULT.createAllBlocking(kafka.bootstrapServers(), options.partitions(), (short) 1,
        Duration.ofSeconds(30));
    this.dispatch = options.directDispatch() ? DirectDispatch.create(kafka.bootstrapServers(), KafkaTopics.DEFAULT)
        : null;
    this.commands = new JobCommands(vertx, store, Job.withDefaults(), 20, JobCommands.DEFAULT_CACHE_SIZE,
        Duration.ofMillis(options.gatherMs()), dispatch);
    this.completions = new Completions();
  }

  private static Broker startBroker(Options options, Map<String, String> config) {
    if (options.brokerInProcess()) {
      EmbeddedKafka embedded = EmbeddedKafka.start(config);
      return new Broker(embedded.bootstrapServers(), () -> 0, () -> 0, embedded::close);
    }
    try {
      java.nio.file.Path log = java.nio.file.Files.createTempFile("songmap-bench-broker-", ".log");
      BrokerProcess process = BrokerProcess.start(options.brokerJvmOptions(), config, log);
      log("broker JVM pid %d, its log: %s", process.pid(), log);
      return new Broker(process.bootstrapServers(), process::jitMillis, process::cpuNanos, process::close);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("could not start the broker's JVM: " + e.getMessage(), e);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(Options.help());
      return;
    }
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    Bench.logToStderr(Level.WARN);
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
    // The relay's settings as the service takes them: defaults, or SONGMAP_RELAY_* where set.
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put("SONGMAP_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
    env.remove("SONGMAP_KAFKA_TOPIC_PREFIX");
    RelayConfig relayConfig = RelayConfig.fromEnv(new EnvValues(env));
    log("relay: polls every %d–%d ms when idle; stage tasks sent %s", relayConfig.minPoll().toMillis(),
        relayConfig.maxPoll().toMillis(), dispatch != null ? "as their appends commit, the relay sending what that missed"
            : "by the relay alone");
    await(vertx.deployVerticle(new Relay(store, pg, relayConfig, dispatch)));
    StageWorkerConfig workerConfig = StageWorkerConfig.defaults(kafka.bootstrapServers())
        .withMaxInFlight(options.maxInFlight());
    if (options.fetchMaxWaitMs() > 0) {
      workerConfig = workerConfig.withConsumerOverrides(Map.of("fetch.max.wait.ms", options.fetchMaxWaitMs()));
    }
    for (Stage stage : Stage.values()) {
      await(vertx.deployVerticle(new StageWorker(stage, (task, ctx) -> {
        if (task.jobId().startsWith(PACED)) {
          handledAt.putIfAbsent(hopKey(task.jobId(), task.stage()), Instant.now());
        }
        return Future.succeededFuture(StageResult.completed(Map.of()));
      }, commands, workerConfig)));
    }
    completions.start();

    warmUp();

    long cpu0 = processCpuNanos();
    long pg0 = backendTicks();
    long[] machine0 = machineTicks();
    long jit0 = jitMillis();
    List<String> burst = burst("burst", options.jobs());
    long jit1 = jitMillis();
    long cpu1 = processCpuNanos();
    long pg1 = backendTicks();
    long[] machine1 = machineTicks();
    double burstSeconds = seconds(burst);
    double jobsPerSecond = options.jobs() / burstSeconds;
    double busy = (machine1[0] - machine0[0]) / (double) Math.max(1, machine1[1] - machine0[1]);
    double jvmMs = (cpu1 - cpu0) / 1e6 / options.jobs();
    double pgMs = (pg1 - pg0) * 10.0 / options.jobs(); // USER_HZ = 100
    log("throughput: %d jobs in %.2f s = %.1f jobs/s; CPU per job %.2f ms (JVMs, the broker's included, %.2f;"
        + " its PostgreSQL backends %.2f); machine %.0f%% busy (%d CPUs, all programs); JIT compiling %.1f s",
        options.jobs(), burstSeconds, jobsPerSecond, jvmMs + pgMs, jvmMs, pgMs, busy * 100,
        Runtime.getRuntime().availableProcessors(), (jit1 - jit0) / 1000.0);
    Latencies latency;
    long jitPaced0;
    long kdamond0;
    long kdamond1;
    long pacedStart;
    long pacedEnd;
    Map<String, Instant> published;
    try (Publications publications = new Publications()) {
      settle();
      jitPaced0 = jitMillis();
      kdamond0 = kdamondTicks();
      pacedStart = System.nanoTime();
      latency = paced();
      kdamond1 = kdamondTicks();
      pacedEnd = System.nanoTime();
      published = publications.collect();
    }
    Histogram client = latency.client();
    Histogram store = latency.store();
    double p50 = client.getValueAtPercentile(50) / 1000.0;
    double p99 = client.getValueAtPercentile(99) / 1000.0;
    log("latency at %.0f jobs/s: %d jobs, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (from the submit call in"
        + " this JVM to the start of JobCompleted's append); on the store's clock alone (JobSubmitted's append →"
        + " JobCompleted's, as the peer takes submitted_at → completed_at) p50 %.1f ms, p90 %.1f ms, p99 %.1f ms;"
        + " JIT compiling %.1f s", options.rate(), client.getTotalCount(), p50, client.getValueAtPercentile(90) / 1000.0,
        p99, client.getMaxValue() / 1000.0, store.getValueAtPercentile(50) / 1000.0,
        store.getValueAtPercentile(90) / 1000.0, store.getValueAtPercentile(99) / 1000.0,
        (jitMillis() - jitPaced0) / 1000.0);
    if (kdamond0 >= 0 && kdamond1 >= 0) {
      log("the kernel's memory monitor (kdamond) took %.1f ms of CPU per second while the paced jobs ran",
          (kdamond1 - kdamond0) * 10.0 / ((pacedEnd - pacedStart) / 1e9));
    }
    hops(published);
    System.out.printf(Locale.ROOT,
        "pipeline: %d jobs, %.1f jobs/s (all at once), p50 %.1f ms, p99 %.1f ms (paced at %s jobs/s)%n",
        options.jobs(), jobsPerSecond, p50, p99, formatRate(options.rate()));
  }

  private static final String PACED = "paced-";
  private final Map<String, Instant> submittedAt = new ConcurrentHashMap<>();
  /** When the handler got each paced job's stage task, by {@link #hopKey}. */
  private final Map<String, Instant> handledAt = new ConcurrentHashMap<>();

  private static String hopKey(String jobId, Stage stage) {
    return jobId + "/" + stage.wireName();
  }

  /**
   * Runs jobs in rounds of {@link #WARMUP_ROUND} at once until at least {@code --warmup} jobs have run and the JIT
   * compilers spent at most {@code --jit-settled} of the last round's time compiling, or {@code --warmup-seconds}
   * have passed. A cold JVM spends most of a core compiling for a minute or more (the broker, the clients and the
   * pipeline are a lot of code), which is not what a running service pays.
   */
  private void warmUp() throws InterruptedException {
    long start = System.nanoTime();
    int jobs = 0;
    int rounds = 0;
    double share = Double.NaN;
    while (jobs < options.warmup() || share > options.jitSettled()) {
      if (rounds > 0 && System.nanoTime() - start >= options.warmupSeconds() * 1_000_000_000L) {
        log("warm-up stopped by --warmup-seconds %d with the JIT still compiling", options.warmupSeconds());
        break;
      }
      long t0 = System.nanoTime();
      long jit0 = jitMillis();
      burst("warm", WARMUP_ROUND);
      share = (jitMillis() - jit0) / ((System.nanoTime() - t0) / 1e6);
      jobs += WARMUP_ROUND;
      rounds++;
    }
    log("warm-up: %d jobs in %d rounds, %.1f s; the JIT compiled for %.0f%% of the last round's time", jobs, rounds,
        (System.nanoTime() - start) / 1e9, share * 100);
  }

  private static final int WARMUP_ROUND = 1000;

  /**
   * Before the latency phase: the warm-up wrote tens of thousands of jobs, so PostgreSQL's autovacuum and a WAL
   * checkpoint would otherwise land in the middle of it. Vacuum and checkpoint now, then run the paced load for
   * {@code --paced-warmup-seconds} unmeasured (the JIT has seen bursts, not one job at a time), longer while the
   * JIT keeps compiling.
   */
  private void settle() throws InterruptedException {
    long t0 = System.nanoTime();
    for (String sql : List.of("VACUUM (ANALYZE) es_event", "VACUUM (ANALYZE) es_stream", "CHECKPOINT")) {
      await(pool.query(sql).execute());
    }
    long jit0 = jitMillis();
    long t1 = System.nanoTime();
    double share = Double.NaN;
    int slices = 0;
    if (options.pacedWarmup().toSeconds() > 0) {
      paced("pwarm-", options.pacedWarmup());
      share = (jitMillis() - jit0) / ((System.nanoTime() - t1) / 1e6);
      // Jobs one at a time take paths the bursts did not (and the in-process broker's code with them): go on in
      // slices until the compilers have little left to do, as in the warm-up.
      long max = Math.max(options.pacedWarmup().toSeconds(), PACED_WARMUP_MAX_SECONDS);
      for (long spent = options.pacedWarmup().toSeconds(); share > PACED_JIT_SETTLED
          && spent + PACED_SLICE_SECONDS <= max; spent += PACED_SLICE_SECONDS) {
        long sliceJit = jitMillis();
        long sliceStart = System.nanoTime();
        paced("pwarm-", Duration.ofSeconds(PACED_SLICE_SECONDS));
        slices++;
        share = (jitMillis() - sliceJit) / ((System.nanoTime() - sliceStart) / 1e6);
      }
    }
    log("settled: vacuum and checkpoint %.1f s, %.0f s paced unmeasured (JIT compiling %.1f s of it, %.1f%% of its"
        + " last %d s)", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, (jitMillis() - jit0) / 1000.0,
        share * 100, slices == 0 ? options.pacedWarmup().toSeconds() : PACED_SLICE_SECONDS);
  }

  private static final long PACED_SLICE_SECONDS = 10;
  private static final long PACED_WARMUP_MAX_SECONDS = 120;
  private static final double PACED_JIT_SETTLED = 0.02;

  /** Time the JIT compilers have spent so far, summed over the compiler threads. */
  /** JIT compilation time so far, of this JVM and of the broker's when it runs in one of its own. */
  private long jitMillis() {
    var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    long own = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    return own + kafka.jitMillis().getAsLong();
  }

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

  /**
   * A paced job's latency in µs, two ways. {@code store}: from the start of the statement that appended its
   * JobSubmitted to the start of the one that appended its JobCompleted, both on the store's clock; this is how
   * the peer takes it ({@code completed_at − submitted_at}, both {@code clock_timestamp()} inside its INSERT and
   * its last UPDATE). {@code client}: from the moment the submit was issued in this JVM, which adds the append's wait
   * for a free statement, the way to the database and the wake-up of its backend (see "Idle wake-ups" in docs/BENCHMARKS.md).
   */
  private record Latencies(Histogram store, Histogram client) {}

  /** Submits at a steady rate for the paced duration and returns submit → JobCompleted latencies. */
  private Latencies paced() throws InterruptedException {
    List<String> ids = paced(PACED, options.paced());
    Histogram store = new Histogram(60_000_000L, 3);
    Histogram client = new Histogram(60_000_000L, 3);
    Map<String, Instant> submitted = recordedAt(ids, "JobSubmitted");
    Map<String, Instant> completed = recordedAt(ids, "JobCompleted");
    for (String id : ids) {
      store.recordValue(micros(submitted.get(id), completed.get(id)));
      client.recordValue(micros(submittedAt.get(id), completed.get(id)));
    }
    return new Latencies(store, client);
  }

  /** Submits jobs named {@code prefix…} at the paced rate for {@code length}, waits for all, returns their ids. */
  private List<String> paced(String prefix, Duration length) throws InterruptedException {
    int n = (int) Math.round(options.rate() * length.toSeconds());
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + UUID.randomUUID());
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
      throw new IllegalStateException(prefix + ": only " + (n - done.getCount()) + " of " + n + " jobs completed");
    }
    return ids;
  }

  private Future<JobCommands.Outcome> submit(String jobId) {
    Instant at = Instant.now();
    submittedAt.put(jobId, at);
    JobCommand submit = new JobCommand.SubmitJob(jobId, TENANT, AudioSource.url("https://bench.example/" + jobId),
        List.of("musicxml", "midi"), 0, Map.of(), Map.of(), at);
    return commands.handle(TENANT, submit, new JobCommands.Meta(jobId, null))
        .onFailure(e -> log("submitting %s failed: %s", jobId, e));
  }

  /**
   * When each job's event of {@code type} was recorded: the start of the statement that appended it, on the store's
   * clock (the same machine as ours).
   */
  private Map<String, Instant> recordedAt(List<String> ids, String type) {
    Map<String, Instant> at = new ConcurrentHashMap<>();
    for (Row row : await(pool.preparedQuery("SELECT stream_id, recorded_at FROM es_event"
        + " WHERE type = $3 AND tenant = $1 AND stream_id = ANY($2)")
        .execute(Tuple.tuple().addString(TENANT).addArrayOfString(ids.toArray(String[]::new)).addString(type)))) {
      at.put(row.getString(0), row.getOffsetDateTime(1).toInstant());
    }
    return at;
  }

  /** Seconds from the first submission to the last JobCompleted recorded. */
  private double seconds(List<String> ids) {
    Instant first = ids.stream().map(submittedAt::get).min(Instant::compareTo).orElseThrow();
    Instant last = recordedAt(ids, "JobCompleted").values().stream().max(Instant::compareTo).orElseThrow();
    return Duration.between(first, last).toNanos() / 1e9;
  }

  /**
   * Where the paced jobs' time went, per stage task (median and p99 over all six stages): from the append of its
   * StageRequested (the transaction's start) to the task's send, from the send to the handler, and from the
   * handler to the start of the transaction that appends the result (and the next StageRequested).
   */
  private void hops(Map<String, Instant> published) {
    Map<String, Instant> requested = new java.util.HashMap<>();
    Map<String, Instant> resulted = new java.util.HashMap<>();
    Map<String, Instant> jobEnds = new java.util.HashMap<>();
    for (Row row : await(pool.preparedQuery("SELECT stream_id, type, data->>'stage', recorded_at FROM es_event"
        + " WHERE tenant = $1 AND stream_id LIKE '" + PACED + "%'"
        + " AND type IN ('StageRequested', 'StageCompleted', 'JobSubmitted', 'JobCompleted')")
        .execute(Tuple.of(TENANT)))) {
      Instant at = row.getOffsetDateTime(3).toInstant();
      String type = row.getString(1);
      if (type.startsWith("Job")) {
        jobEnds.put(row.getString(0) + "/" + type, at);
        continue;
      }
      String key = row.getString(0) + "/" + row.getString(2);
      (type.equals("StageRequested") ? requested : resulted).merge(key, at, (a, b) -> a.isBefore(b) ? a : b);
    }
    steps(jobEnds, resulted);
    Histogram toPublish = new Histogram(60_000_000L, 3);
    Histogram toHandler = new Histogram(60_000_000L, 3);
    Histogram toResult = new Histogram(60_000_000L, 3);
    Histogram whole = new Histogram(60_000_000L, 3);
    double[] hopStartsMs = new double[requested.size()];
    double[] hopMicros = new double[requested.size()];
    int hops = 0;
    Map<String, Histogram[]> byStage = new java.util.TreeMap<>();
    for (var e : requested.entrySet()) {
      Instant sent = published.get(e.getKey());
      Instant handled = handledAt.get(e.getKey());
      Instant result = resulted.get(e.getKey());
      if (sent == null || handled == null || result == null) {
        continue;
      }
      toPublish.recordValue(micros(e.getValue(), sent));
      toHandler.recordValue(micros(sent, handled));
      Histogram[] stage = byStage.computeIfAbsent(e.getKey().substring(e.getKey().lastIndexOf('/') + 1),
          k -> new Histogram[] {new Histogram(60_000_000L, 3), new Histogram(60_000_000L, 3),
              new Histogram(60_000_000L, 3)});
      stage[0].recordValue(micros(e.getValue(), sent));
      stage[1].recordValue(micros(sent, handled));
      stage[2].recordValue(micros(handled, result));
      toResult.recordValue(micros(handled, result));
      whole.recordValue(micros(e.getValue(), result));
      hopStartsMs[hops] = e.getValue().toEpochMilli() + (e.getValue().getNano() % 1_000_000) / 1e6;
      hopMicros[hops++] = micros(e.getValue(), result);
    }
    log("per stage task at %.0f jobs/s (%d tasks; median / p99 ms): append→task send %s, send→handler %s,"
        + " handler→result append %s; whole hop %s", options.rate(), whole.getTotalCount(), figures(toPublish),
        figures(toHandler), figures(toResult), figures(whole));
    StringBuilder perStage = new StringBuilder();
    byStage.forEach((stage, h) -> perStage.append(String.format(Locale.ROOT,
        "%n  %-12s append→task send %s, send→handler %s, handler→result append %s", stage, figures(h[0]),
        figures(h[1]), figures(h[2]))));
    log("per stage (median / p99 ms):%s", perStage);
    if (hops >= 100) {
      Periodicity.Finding f = Periodicity.strongest(Arrays.copyOf(hopStartsMs, hops), Arrays.copyOf(hopMicros, hops),
          0.95, 100, 2000, 0.5);
      log("slowest 5%% of stage tasks (%d): most bunched at a period of %.1f ms (concentration %.2f; times at"
          + " random give about %.2f); %.1f%% of the tasks are slow in the worst tenth of that cycle, %.1f%% in"
          + " the best", f.slow(), f.periodMs(), f.concentration(), f.randomLevel(), f.peakShare() * 100,
          f.troughShare() * 100);
    }
  }

  /**
   * The paced jobs' time per step of the graph (median / p99 ms), between the starts of the transactions that
   * recorded them: submit → ingest completed → separate completed → the last of the three analyses completed →
   * JobCompleted. The fan-out step waits for the slowest of three tasks, so its tail is the widest.
   */
  private void steps(Map<String, Instant> jobEnds, Map<String, Instant> completed) {
    Histogram ingest = new Histogram(60_000_000L, 3);
    Histogram separate = new Histogram(60_000_000L, 3);
    Histogram fanOut = new Histogram(60_000_000L, 3);
    Histogram finish = new Histogram(60_000_000L, 3);
    for (var e : jobEnds.entrySet()) {
      if (!e.getKey().endsWith("/JobSubmitted")) {
        continue;
      }
      String job = e.getKey().substring(0, e.getKey().length() - "/JobSubmitted".length());
      Instant done = jobEnds.get(job + "/JobCompleted");
      Instant ingested = completed.get(job + "/" + Stage.INGEST.wireName());
      Instant separated = completed.get(job + "/" + Stage.SEPARATE.wireName());
      Instant analysed = null;
      boolean allAnalysed = true;
      for (Stage s : List.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS)) {
        Instant at = completed.get(job + "/" + s.wireName());
        allAnalysed &= at != null;
        if (at != null && (analysed == null || at.isAfter(analysed))) {
          analysed = at;
        }
      }
      if (done == null || ingested == null || separated == null || !allAnalysed) {
        continue;
      }
      ingest.recordValue(micros(e.getValue(), ingested));
      separate.recordValue(micros(ingested, separated));
      fanOut.recordValue(micros(separated, analysed));
      finish.recordValue(micros(analysed, done));
    }
    log("per step at %.0f jobs/s (%d jobs; median / p99 ms): submit→ingest %s, →separate %s,"
        + " →last of three analyses %s, →JobCompleted %s", options.rate(), ingest.getTotalCount(), figures(ingest),
        figures(separate), figures(fanOut), figures(finish));
  }

  private static long micros(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toNanos() / 1000);
  }

  private static String figures(Histogram h) {
    return String.format(Locale.ROOT, "%.1f / %.1f", h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0);
  }

  /**
   * When each stage task was sent: the records' create times (set by the sending producer, in ms), read from the
   * stage topics after the measured phase, from where they ended when this was made. Nothing reads the topics
   * while the pipeline is being measured, so the figures do not pay for their own observer.
   */
  private final class Publications implements AutoCloseable {
    private final org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Stage> stages = new java.util.HashMap<>();
    private final List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();

    Publications() {
      java.util.Properties p = new java.util.Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      p.put("enable.auto.commit", "false");
      consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
          new org.apache.kafka.common.serialization.StringDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      for (Stage stage : Stage.values()) {
        String topic = KafkaTopics.DEFAULT.stage(stage);
        stages.put(topic, stage);
        for (int i = 0; i < options.partitions(); i++) {
          partitions.add(new org.apache.kafka.common.TopicPartition(topic, i));
        }
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
    }

    /** The send time of every stage task since this was made, by {@link #hopKey}-style key (job/stage). */
    Map<String, Instant> collect() {
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<String, Instant> at = new java.util.HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the stage topics to their end");
        }
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          at.putIfAbsent(r.key() + "/" + stages.get(r.topic()).wireName(), Instant.ofEpochMilli(r.timestamp()));
        }
      }
      return at;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private void close() {
    completions.close();
    try {
      // The relay and the workers stop first (the relay commits what was acknowledged, the workers their
      // offsets), while the pool they use is still open.
      List<Future<Void>> undeployed = new ArrayList<>();
      vertx.deploymentIDs().forEach(id -> undeployed.add(vertx.undeploy(id)));
      Future.join(undeployed).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("closing Vert.x: %s", e);
    }
    if (dispatch != null) {
      dispatch.close();
    }
    kafka.close().run();
  }

  /**
   * Watches the store for JobCompleted events, as the peer watches its status rows: a read of the log's tail
   * every 200 ms, as often as the peer looks (the latency itself comes from the events' recorded times, not from
   * when this notices them).
   */
  private final class Completions {
    private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private Position after = Position.START;

    Completions() {
      thread = new Thread(this::loop, "bench-completions");
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

    private void loop() {
      while (running.get()) {
        try {
          // The store's gap-safe read: an event committed late by a slow transaction is not skipped.
          AllEventsPage page = await(store.readAll(after, COMPLETED, 1000));
          for (RecordedEvent e : page.events()) {
            CountDownLatch latch = waiting.remove(e.streamId());
            if (latch != null) {
              latch.countDown();
            }
          }
          after = page.last();
          if (page.events().size() < 1000) {
            Thread.sleep(200);
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          if (running.get()) {
            log("watching completions: %s", e);
          }
        }
      }
    }

    void close() {
      running.set(false);
      thread.interrupt();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** CPU time so far of this JVM and of the broker's when it runs in one of its own. */
  private long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long own = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    return own + kafka.cpuNanos().getAsLong();
  }

  /** CPU ticks (1/100 s) spent so far by the PostgreSQL backends serving the benchmark's database. */
  private static long backendTicks() {
    return Math.max(0, Bench.processTicks(proc -> {
      String cmd = new String(java.nio.file.Files.readAllBytes(proc.resolve("cmdline")),
          java.nio.charset.StandardCharsets.UTF_8);
      return cmd.startsWith("postgres: ") && cmd.contains(" " + DATABASE + " ");
    }));
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }



  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }

}
