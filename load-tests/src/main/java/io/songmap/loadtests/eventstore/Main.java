package io.songmap.loadtests.eventstore;

import io.songmap.loadtests.Bench;
import static io.songmap.loadtests.Bench.await;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * The event store benchmark: {@code load-tests/run eventstore --help}. The workloads, their order and their sizes
 * follow the peer benchmark {@code ../shared/peers/axon-jdbc}, so that the two can be compared run for run.
 */
public final class Main {
  private static final String APP_NAME = "songmap-bench";
  private static final String TENANT = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchConfig config;
  private final Vertx vertx;
  private final Pool pool;
  private final PgEventStore store;
  private final String detailPad;
  private final List<String> summary = new ArrayList<>();

  private Main(BenchConfig config) {
    this.config = config;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
    PgConnectOptions connect = TestPostgres.parse(config.url())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .addProperty("application_name", APP_NAME);
    createDatabaseIfMissing(connect);
    int poolSize = Math.max(config.poolSize(), config.maxReadConcurrency());
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(connect).using(vertx)
        .build();
    this.store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT
        .withNotifyChannel(config.notifyOnAppend() ? PgEventStoreOptions.DEFAULT_CHANNEL : null)
        .withAppendBatching(config.appendConcurrency(), config.maxAppendsPerBatch())));
    int base = payload(UUID.randomUUID().toString(), 9, "").length();
    this.detailPad = "x".repeat(Math.max(0, config.payloadBytes() - base));
    log("payload JSON size: %d bytes; pool %d, event loops %d, notify %s, append concurrency %d (batches <= %d),"
            + " read-all page %d", payload(UUID.randomUUID().toString(), 9, detailPad).length(), poolSize,
        config.eventLoops(), config.notifyOnAppend(), config.appendConcurrency(), config.maxAppendsPerBatch(),
        config.pageSize());
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(BenchConfig.help());
      return;
    }
    // Before the first logger exists: logback's own start-up messages would otherwise go to stdout.
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    Bench.logToStderr(Level.WARN);
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(BenchConfig.help());
      System.exit(2);
      return;
    }
    Main bench = new Main(config);
    try {
      long t0 = System.nanoTime();
      if (config.warmupStreams() > 0) {
        log("warm-up: %d streams x %d events, <= %d s per phase", config.warmupStreams(), config.eventsPerStream(),
            config.warmupSeconds());
        bench.pass(config.warmupStreams(), Math.min(config.reads(), 500), config.warmupSeconds(), false);
        log("warm-up done in %.1f s", (System.nanoTime() - t0) / 1e9);
      }
      waitForQuiet(config.quietWaitSeconds());
      log("measuring: %d writers, %d streams x %d events, batch %d, %d reads, <= %d s per phase", config.writers(),
          config.streams(), config.eventsPerStream(), config.batch(), config.reads(), config.maxSeconds());
      bench.pass(config.streams(), config.reads(), config.maxSeconds(), true);
      System.err.println("== details ==");
      bench.summary.forEach(System.err::println);
    } finally {
      await(bench.pool.close());
      await(bench.vertx.close());
    }
  }

  /** One pass: append-1, stream reads and read-all on its data, then append-batch on fresh tables. */
  private void pass(int streams, int reads, int seconds, boolean measured) {
    clean();
    List<String> ids = newIds(streams);
    append("append-1", ids, 1, seconds, measured);
    sql("VACUUM (ANALYZE) es_event");
    sql("VACUUM (ANALYZE) es_stream");
    if (measured) {
      Row r = await(pool.query("SELECT pg_table_size('es_event'), pg_indexes_size('es_event'),"
          + " (SELECT count(*) FROM es_event)").execute()).iterator().next();
      long n = Math.max(1, r.getLong(2));
      log("storage after append-1: %d events, table %d + indexes %d bytes per event", r.getLong(2),
          r.getLong(0) / n, r.getLong(1) / n);
    }
    double minSeconds = measured ? config.readMinSeconds() : Math.min(2, config.readMinSeconds());
    for (int i = 0; i < config.readConcurrency().length; i++) {
      boolean printed = measured && i == config.readConcurrency().length - 1;
      readStreams(ids, reads, config.readConcurrency()[i], minSeconds, seconds, measured, printed);
    }
    readAll(minSeconds, seconds, measured);
    clean();
    append("append-" + config.batch(), newIds(streams), config.batch(), seconds, measured);
    clean();
  }

  // ---- appends ------------------------------------------------------------------------------------------------

  /**
   * Writer w owns the streams with index % writers == w and goes round-robin over them: event k of every stream,
   * then event k+1, with {@code perCall} events per append and the exact expected version.
   */
  private void append(String label, List<String> ids, int perCall, int seconds, boolean measured) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<Writer> writers = new ArrayList<>();
    for (int w = 0; w < config.writers(); w++) {
      writers.add(new Writer(w, ids, perCall, deadline));
    }
    long[] statsBefore = store.appendStatistics();
    CpuMeter cpu = cpuMeter();
    long t0 = System.nanoTime();
    List<Future<Void>> done = new ArrayList<>();
    for (Writer w : writers) {
      done.add(w.start());
    }
    await(Future.all(done));
    double secs = (System.nanoTime() - t0) / 1e9;
    Histogram all = histogram();
    long events = 0;
    long calls = 0;
    for (Writer w : writers) {
      all.add(w.latency);
      events += w.events;
      calls += w.calls;
    }
    long[] statsAfter = store.appendStatistics();
    double perStatement = (double) (statsAfter[1] - statsBefore[1]) / Math.max(1, statsAfter[0] - statsBefore[0]);
    long expected = (long) ids.size() * config.eventsPerStream();
    String line = String.format(Locale.ROOT, "eventstore %s: %.0f events/s p50 %s ms p99 %s ms", label,
        events / secs, ms(all, 50), ms(all, 99));
    report(measured, line, String.format(Locale.ROOT,
        "(%d/%d events, %d calls of %d, %.2f appends per statement, %.1f s, %d writers, p99.9 %s ms, max %s ms, %s%s)",
        events, expected, calls, perCall, perStatement, secs, config.writers(), ms(all, 99.9), ms(all, 100),
        cpu.done(events, "event"),
        events < expected ? ", STOPPED AT TIME LIMIT" : ""), true);
  }

  private final class Writer {
    final int writer;
    final List<String> ids;
    final int perCall;
    final long deadline;
    final Context context = vertx.getOrCreateContext();
    final Promise<Void> done = Promise.promise();
    final Histogram latency = histogram();
    int first;
    int stream;
    long events;
    long calls;

    Writer(int writer, List<String> ids, int perCall, long deadline) {
      this.writer = writer;
      this.ids = ids;
      this.perCall = perCall;
      this.deadline = deadline;
      this.stream = writer;
    }

    Future<Void> start() {
      context.runOnContext(v -> next());
      return done.future();
    }

    private void next() {
      if (stream >= ids.size()) {
        stream = writer;
        first += perCall;
      }
      if (first >= config.eventsPerStream() || System.nanoTime() > deadline) {
        done.tryComplete();
        return;
      }
      String id = ids.get(stream);
      int n = Math.min(perCall, config.eventsPerStream() - first);
      List<NewEvent> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int seq = first + i;
        batch.add(new NewEvent(UUID.randomUUID(), "JobStageEvent", 1, payload(id, seq, detailPad), "{}"));
      }
      ExpectedVersion expected = first == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(first);
      long t0 = System.nanoTime();
      store.append(TENANT, id, expected, batch).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        latency.recordValue((System.nanoTime() - t0) / 1000);
        events += n;
        calls++;
        stream += config.writers();
        next();
      });
    }
  }

  // ---- stream reads -------------------------------------------------------------------------------------------

  /** Random whole streams (fixed seed), every payload parsed; the set is read again until minSeconds passed. */
  private void readStreams(List<String> ids, int reads, int concurrency, double minSeconds, int seconds,
      boolean measured, boolean printed) {
    Random rnd = new Random(42);
    int[] picks = new int[reads];
    for (int i = 0; i < reads; i++) {
      picks[i] = rnd.nextInt(ids.size());
    }
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long minEnd = System.nanoTime() + (long) (minSeconds * 1e9);
    List<Reader> readers = new ArrayList<>();
    for (int r = 0; r < concurrency; r++) {
      readers.add(new Reader(r, concurrency, ids, picks, minEnd, deadline));
    }
    CpuMeter cpu = cpuMeter();
    long t0 = System.nanoTime();
    List<Future<Void>> done = new ArrayList<>();
    for (Reader r : readers) {
      done.add(r.start());
    }
    await(Future.all(done));
    double secs = (System.nanoTime() - t0) / 1e9;
    Histogram all = histogram();
    long streams = 0;
    long events = 0;
    for (Reader r : readers) {
      all.add(r.latency);
      streams += r.streams;
      events += r.events;
    }
    report(measured, String.format(Locale.ROOT, "eventstore read-streams: %.0f streams/s", streams / secs),
        String.format(Locale.ROOT, "(%d readers: p50 %s ms p99 %s ms, %d reads of %d random streams, %.0f events/s,"
                + " %.1f events/stream, %.2f s, %s)", concurrency, ms(all, 50), ms(all, 99), streams, reads,
            events / secs, (double) events / Math.max(1, streams), secs, cpu.done(streams, "stream")), printed);
  }

  private final class Reader {
    final int offset;
    final int concurrency;
    final List<String> ids;
    final int[] picks;
    final long minEnd;
    final long deadline;
    final Context context = vertx.getOrCreateContext();
    final Promise<Void> done = Promise.promise();
    final Histogram latency = histogram();
    int i;
    long streams;
    long events;

    Reader(int offset, int concurrency, List<String> ids, int[] picks, long minEnd, long deadline) {
      this.offset = offset;
      this.concurrency = concurrency;
      this.ids = ids;
      this.picks = picks;
      this.minEnd = minEnd;
      this.deadline = deadline;
      this.i = offset;
    }

    Future<Void> start() {
      context.runOnContext(v -> next());
      return done.future();
    }

    private void next() {
      long now = System.nanoTime();
      if (now > deadline) {
        done.tryComplete();
        return;
      }
      if (i >= picks.length) {
        if (now >= minEnd) {
          done.tryComplete();
          return;
        }
        i -= picks.length;
      }
      long t0 = System.nanoTime();
      store.readStream(TENANT, ids.get(picks[i]), 1).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        for (RecordedEvent e : ar.result().events()) {
          if (e.dataJson().isEmpty()) {
            done.tryFail(new IllegalStateException("empty payload"));
            return;
          }
          events++;
        }
        latency.recordValue((System.nanoTime() - t0) / 1000);
        streams++;
        i += concurrency;
        next();
      });
    }
  }

  // ---- global read --------------------------------------------------------------------------------------------

  /** The global log from the start, page by page, in whole passes repeated until minSeconds have passed. */
  private void readAll(double minSeconds, int seconds, boolean measured) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long minEnd = System.nanoTime() + (long) (minSeconds * 1e9);
    long[] events = new long[1];
    long passEvents = 0;
    int passes = 0;
    CpuMeter cpu = cpuMeter();
    long t0 = System.nanoTime();
    do {
      passes++;
      long before = events[0];
      await(store.forEachPage(Position.START, EventFilter.ALL, config.pageSize(), page -> {
        for (RecordedEvent e : page) {
          if (config.parseOnReadAll() ? e.dataJson().isEmpty() : e.data().isEmpty()) {
            return Future.failedFuture(new IllegalStateException("empty payload"));
          }
        }
        events[0] += page.size();
        return Future.succeededFuture();
      }));
      passEvents = events[0] - before;
    } while (System.nanoTime() < minEnd && System.nanoTime() < deadline);
    double secs = (System.nanoTime() - t0) / 1e9;
    report(measured, String.format(Locale.ROOT, "eventstore read-all: %.0f events/s", events[0] / secs),
        String.format(Locale.ROOT, "(%d passes over %d events, %.2f s, page %d, payloads %s, %s)", passes,
            passEvents, secs, config.pageSize(), config.parseOnReadAll() ? "parsed" : "passed through as text",
            cpu.done(events[0], "event")), true);
  }

  /** Waits (at most {@code seconds}) until the machine's other processes use under 0.25 cores. */
  private static void waitForQuiet(int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      double busy = CpuMeter.machineBusyCores(Duration.ofSeconds(2));
      if (busy <= 0.25) {
        log("machine quiet (%.2f cores busy)", busy);
        return;
      }
      if (System.nanoTime() > end) {
        log("machine still busy (%.2f cores used by others), measuring anyway", busy);
        return;
      }
      log("machine busy (%.2f cores used by others), waiting...", busy);
    }
  }

  // ---- housekeeping -------------------------------------------------------------------------------------------

  /** The payload of every appended event: a record serialized by Jackson, as the peer's writers do. */
  record JobStageEvent(String jobId, String stage, int attempt, String status, String worker, long startedAtEpochMs,
      long finishedAtEpochMs, String outputUri, String detail) {
  }

  private static String payload(String jobId, long seq, String pad) {
    long now = System.currentTimeMillis();
    JobStageEvent event = new JobStageEvent(jobId, "stage-" + seq, 1, "COMPLETED", "worker-07.pipeline.internal",
        now - 1234, now, "s3://bucket/jobs/" + jobId + "/stage-" + seq + "/output.parquet", pad);
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void clean() {
    sql("TRUNCATE es_event, es_stream, es_checkpoint, es_lease RESTART IDENTITY");
    sql("CHECKPOINT");
  }

  private void sql(String sql) {
    await(pool.query(sql).execute());
  }

  /** Measures this JVM, its PostgreSQL backends and PostgreSQL's background processes, as the peer does. */
  private CpuMeter cpuMeter() {
    List<Integer> pids = new ArrayList<>();
    java.util.Set<Integer> backends = new java.util.HashSet<>();
    await(pool.query("SELECT pid, application_name = '" + APP_NAME + "' FROM pg_stat_activity"
        + " WHERE application_name = '" + APP_NAME + "' OR backend_type <> 'client backend'").execute())
        .forEach(r -> {
          pids.add(r.getInteger(0));
          if (r.getBoolean(1)) {
            backends.add(r.getInteger(0));
          }
        });
    return new CpuMeter(pids, backends);
  }

  private static void createDatabaseIfMissing(PgConnectOptions target) {
    Vertx v = Vertx.vertx();
    try {
      Pool admin = PgBuilder.pool().connectingTo(new PgConnectOptions(target).setDatabase("postgres")).using(v)
          .build();
      boolean exists = await(admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
          .execute(io.vertx.sqlclient.Tuple.of(target.getDatabase()))).size() > 0;
      if (!exists) {
        log("creating database %s", target.getDatabase());
        await(admin.query("CREATE DATABASE " + target.getDatabase()).execute());
      }
      await(admin.close());
    } finally {
      await(v.close());
    }
  }

  private static List<String> newIds(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    return ids;
  }

  private static Histogram histogram() {
    return new Histogram(3_600_000_000L, 3);
  }

  private static String ms(Histogram h, double pct) {
    long v = pct >= 100 ? h.getMaxValue() : h.getValueAtPercentile(pct);
    return String.format(Locale.ROOT, "%.2f", v / 1000.0);
  }

  private void report(boolean measured, String line, String detail, boolean printed) {
    if (measured) {
      summary.add(line + "  " + detail);
      if (printed) {
        System.out.println(line);
      }
    } else {
      log("(warm-up) %s  %s", line, detail);
    }
  }

  private static void log(String fmt, Object... args) {
    System.err.println("[bench] " + String.format(Locale.ROOT, fmt, args));
  }


}
