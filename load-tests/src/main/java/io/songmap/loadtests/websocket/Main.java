package io.songmap.loadtests.websocket;

import static io.songmap.loadtests.Bench.await;
import static io.songmap.loadtests.Bench.freshDatabase;
import static io.songmap.loadtests.Bench.machineTicks;
import ch.qos.logback.classic.Level;
import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.gateway.auth.Tenants;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.StageState;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.testkit.EmbeddedKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The WebSocket benchmark: {@code load-tests/run websocket --help}. N clients follow M running jobs through the
 * gateway's {@code /api/v1/jobs/{id}/events} while progress events are appended to those jobs at a steady rate;
 * the figure is the time from the append to each subscriber's frame.
 *
 * <p>The path measured is the production one: append to PostgreSQL, the relay publishes to Kafka, the gateway's
 * live consumer announces the event, the job's hub reads it from the store once and every subscribed socket sends
 * the same encoded frame. The gateway runs in a JVM of its own ({@link GatewayProcess}) so that its resident memory
 * is reported alone; the broker, the relay, the appends and the clients share this JVM.
 */
public final class Main {
  private static final String DATABASE = "songmap_bench_ws";
  private static final String TENANT = "bench";
  /** How long to wait for frames still on their way after the last append. */
  private static final Duration DRAIN = Duration.ofSeconds(15);

  record Options(int subscribers, int jobs, double rate, Duration measured, Duration warmup, int connectInFlight,
      String pgUrl, List<String> gatewayJvm) {

    static String help() {
      return String.join("\n",
          "load-tests/run websocket [options]",
          "  Holds N WebSocket subscribers on M running jobs and appends StageProgressed events to the jobs",
          "  round-robin at a steady rate: in-process Kafka (KRaft), PostgreSQL database " + DATABASE,
          "  (created if missing, tables fresh each run), the relay, and the gateway in a child JVM.",
          "  Prints one line (latency from the append's start to each subscriber's frame; rss of the gateway JVM):",
          "  websocket: <N> subscribers, p50 <ms> ms, p99 <ms> ms, rss <MB> MB",
          "",
          "  --subscribers N       WebSocket clients (default 10000), spread evenly over the jobs",
          "  --jobs M              running jobs (default 1000)",
          "  --rate R              events appended per second, all jobs together (default 100)",
          "  --seconds S           measured phase (default 30)",
          "  --warmup-seconds S    appends before measuring (default 10)",
          "  --connect-in-flight N WebSocket handshakes at once while connecting (default 200)",
          "  Gateway JVM options: GATEWAY_JAVA_OPTS (default -Xmx1g). PostgreSQL: SONGMAP_PG_URL",
          "  (postgresql://user[:password]@host[:port]/db; the db part is replaced), default " + TestPostgres.DEFAULT_URL);
    }

    static Options parse(String[] args) {
      int subscribers = 10_000;
      int jobs = 1000;
      double rate = 100;
      int seconds = 30;
      int warmup = 10;
      int connect = 200;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--subscribers" -> subscribers = Integer.parseInt(value);
          case "--jobs" -> jobs = Integer.parseInt(value);
          case "--rate" -> rate = Double.parseDouble(value);
          case "--seconds" -> seconds = Integer.parseInt(value);
          case "--warmup-seconds" -> warmup = Integer.parseInt(value);
          case "--connect-in-flight" -> connect = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + help());
        }
        i++;
      }
      if (subscribers < 1 || jobs < 1 || jobs > subscribers || rate <= 0 || seconds < 1 || warmup < 0 || connect < 1) {
        throw new IllegalArgumentException("options must be positive, with no more jobs than subscribers\n" + help());
      }
      String url = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
      List<String> jvm = Arrays.stream(System.getenv().getOrDefault("GATEWAY_JAVA_OPTS", "-Xmx1g").trim().split("\\s+"))
          .filter(s -> !s.isEmpty()).toList();
      return new Options(subscribers, jobs, rate, Duration.ofSeconds(seconds), Duration.ofSeconds(warmup), connect, url,
          jvm);
    }
  }

  private final Options options;
  private final EmbeddedKafka kafka;
  private final Vertx vertx;
  private final PgConnectOptions pg;
  private final Pool pool;
  private final PgEventStore store;
  private final JobCommands commands;
  private final Path artifacts;
  private GatewayProcess gateway;
  private WebSocketClient client;

  private final List<String> jobIds = new ArrayList<>();
  private final Map<String, Integer> jobIndex = new HashMap<>();
  private AtomicLongArray versions; // each job's stream version after its last append
  private AtomicLongArray appending; // 1 while an append to the job is in flight
  private int[] subscribersOf;
  private volatile StageState ingest; // every job's ingest attempt: all were submitted alike
  /** (job index, version) → System.nanoTime() when its append started, for events of the measured phase. */
  private final Map<Long, Long> appendedAt = new ConcurrentHashMap<>();
  private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
  private final AtomicLong expectedFrames = new AtomicLong();
  private final AtomicLong receivedFrames = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicLong skippedAppends = new AtomicLong();
  private final AtomicLong failedAppends = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Append → the relay's record seen on Kafka, once per event: the part of the latency before the gateway. */
  private final ConcurrentHistogram kafkaMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
  /** (job index, version) → System.nanoTime() when the tap saw the event on Kafka. */
  private final Map<Long, Long> onKafkaAt = new ConcurrentHashMap<>();
  /** The record seen on Kafka → each subscriber's frame: the gateway's part, client included. */
  private final ConcurrentHistogram gatewayMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
  private KafkaTap tap;

  private Main(Options options) throws Exception {
    this.options = options;
    long t0 = System.nanoTime();
    this.kafka = EmbeddedKafka.start(Map.of("num.partitions", "4"));
    log("Kafka broker at %s (%d ms)", kafka.bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    this.pg = TestPostgres.parse(options.pgUrl()).setDatabase(DATABASE).setCachePreparedStatements(true)
        .setPipeliningLimit(256).addProperty("application_name", "songmap-bench-websocket");
    freshDatabase(pg);
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(pg).using(vertx).build();
    this.store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
    KafkaTopics.DEFAULT.createAllBlocking(kafka.bootstrapServers(), 4, (short) 1, Duration.ofSeconds(30));
    this.commands = new JobCommands(vertx, store);
    this.artifacts = Files.createTempDirectory("songmap-bench-ws");
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(Options.help());
      return;
    }
    io.songmap.loadtests.Bench.logToStderr(Level.WARN);
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
    String url = pgUrl(pg);
    String apiKey = await(Tenants.create(vertx, url, TENANT)).apiKey();
    gateway = GatewayProcess.start(Map.of(
        "SONGMAP_PG_URL", url,
        "SONGMAP_KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
        "SONGMAP_GATEWAY_HOST", "127.0.0.1",
        "SONGMAP_GATEWAY_PORT", "0",
        "SONGMAP_GATEWAY_PARTNER_INTAKE", "false",
        "SONGMAP_ARTIFACTS_DIR", artifacts.toString()), options.gatewayJvm());
    log("gateway (pid %d, %s) on port %d; its file descriptor limit is this JVM's: %s", gateway.pid(),
        String.join(" ", options.gatewayJvm()), gateway.port(), limitLine("Max open files"));

    createJobs();
    tap = new KafkaTap();
    long t0 = System.nanoTime();
    connect(apiKey);
    log("%d subscribers connected in %.1f s; gateway rss %d MB", open.get(), (System.nanoTime() - t0) / 1e9,
        gateway.rssKb() / 1024);

    if (!options.warmup().isZero()) {
      append(options.warmup(), false);
      log("warm-up: %s of appends at %s/s", options.warmup(), formatRate(options.rate()));
    }
    long[] machine0 = machineTicks();
    long gateway0 = processTicks(gateway.pid());
    long pg0 = backendTicks();
    long tx0 = transactions();
    append(options.measured(), true);
    long deadline = System.nanoTime() + DRAIN.toNanos();
    while (receivedFrames.get() < expectedFrames.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long gatewayMs = (processTicks(gateway.pid()) - gateway0) * 10; // USER_HZ = 100
    long pgMs = (backendTicks() - pg0) * 10;
    Thread.sleep(600); // PostgreSQL publishes its statistics every 500 ms
    long tx = transactions() - tx0;
    long[] machine = machineTicks();
    double busy = (machine[0] - machine0[0]) / (double) Math.max(1, machine[1] - machine0[1]);
    String[] rss = gateway.ask("rss").split(" ");
    long rssMb = Long.parseLong(rss[0]) / 1024;
    long missing = expectedFrames.get() - receivedFrames.get();
    if (missing > 0) {
      // A frame that never came counts as late as the drain allows, so that losses cannot improve the percentiles.
      latencyMicros.recordValueWithCount(DRAIN.toNanos() / 1000, missing);
    }
    Histogram h = latencyMicros;
    log("measured: %d events appended over %s (%d skipped: the job's previous append still in flight; %d failed),"
        + " %d frames expected, %d received, %d missing; %d sockets open, %d closed by the gateway",
        appendedAt.size(), options.measured(), skippedAppends.get(), failedAppends.get(), expectedFrames.get(),
        receivedFrames.get(), missing, open.get(), closedByServer.get());
    log("latency ms: p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f; machine %.0f%% busy (%d CPUs, all"
        + " programs); gateway VmRSS %s kB, VmHWM %s kB", ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
        h.getMaxValue() / 1000.0, busy * 100, Runtime.getRuntime().availableProcessors(), rss[0], rss[1]);
    long frames = Math.max(1, receivedFrames.get());
    log("where the time goes: append → record on Kafka p50 %.1f ms, p99 %.1f ms (%d events); record on Kafka →"
        + " frame p50 %.1f ms, p99 %.1f ms (%d frames; the gateway's part: live consumer, a store read per"
        + " job, the sends); gateway CPU %.2f ms per frame (%d ms in all); PostgreSQL: %d transactions in the"
        + " benchmark's database (appends, relay, projection and the gateway's reads: %.2f per frame), its backends'"
        + " CPU %.2f ms per frame", ms(kafkaMicros, 50), ms(kafkaMicros, 99), kafkaMicros.getTotalCount(),
        ms(gatewayMicros, 50), ms(gatewayMicros, 99), gatewayMicros.getTotalCount(), gatewayMs / (double) frames,
        gatewayMs, tx, tx / (double) frames, pgMs / (double) frames);
    System.out.printf(Locale.ROOT, "websocket: %d subscribers, p50 %.1f ms, p99 %.1f ms, rss %d MB%n",
        options.subscribers(), ms(h, 50), ms(h, 99), rssMb);
  }

  /** Submits M jobs and starts their ingest stage, so that progress reports are news to each of them. */
  private void createJobs() {
    int m = options.jobs();
    versions = new AtomicLongArray(m);
    appending = new AtomicLongArray(m);
    subscribersOf = new int[m];
    for (int i = 0; i < m; i++) {
      String id = "ws-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
      jobIds.add(id);
      jobIndex.put(id, i);
    }
    for (int from = 0; from < m; from += 100) {
      List<Future<?>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(m, from + 100); i++) {
        int job = i;
        String id = jobIds.get(i);
        Instant now = Instant.now();
        JobCommand submit = new JobCommand.SubmitJob(id, TENANT, AudioSource.url("https://bench.example/" + id),
            List.of("musicxml"), 0, Map.of(), Map.of(), now);
        batch.add(commands.handle(TENANT, submit, JobCommands.Meta.none()).compose(submitted -> {
          StageState requested = submitted.state().stage(Stage.INGEST);
          ingest = requested;
          return commands.handle(TENANT, new JobCommand.StartStage(id, Stage.INGEST, requested.run(),
              requested.attempt(), now), JobCommands.Meta.none());
        }).onSuccess(started -> versions.set(job, started.state().version())));
      }
      await(Future.all(batch));
    }
    log("%d jobs running (stream version %d each)", m, versions.get(0));
  }

  /** Opens the subscribers, a bounded number of handshakes at a time, spread evenly over the jobs. */
  private void connect(String apiKey) throws InterruptedException {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(options.subscribers() + 64)
        .setConnectTimeout(120_000).setClosingTimeout(1));
    Semaphore inFlight = new Semaphore(options.connectInFlight());
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < options.subscribers(); i++) {
      int job = i % options.jobs();
      subscribersOf[job]++;
      inFlight.acquire();
      WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
          .setURI("/api/v1/jobs/" + jobIds.get(job) + "/events?from=1&access_token=" + apiKey);
      client.connect(connect).onComplete(ar -> {
        if (ar.failed()) {
          if (failed.incrementAndGet() <= 5) {
            log("connecting a subscriber failed: %s", ar.cause());
          }
          inFlight.release();
          return;
        }
        open.incrementAndGet();
        inFlight.release();
        ar.result().textMessageHandler(this::received);
        ar.result().closeHandler(v -> {
          open.decrementAndGet();
          if (!closing.get()) {
            closedByServer.incrementAndGet();
          }
        });
      });
    }
    inFlight.acquire(options.connectInFlight());
    inFlight.release(options.connectInFlight());
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + options.subscribers() + " subscribers did not connect");
    }
  }

  private void received(String frame) {
    long now = System.nanoTime();
    Integer job = jobIndex.get(stringField(frame, "\"jobId\":\""));
    if (job == null) {
      return;
    }
    long version = longField(frame, "\"version\":");
    Long at = appendedAt.get(key(job, version));
    if (at == null) {
      return; // the job's history or the warm-up
    }
    latencyMicros.recordValue(Math.max(0, (now - at) / 1000));
    Long seen = onKafkaAt.get(key(job, version));
    if (seen != null) {
      gatewayMicros.recordValue(Math.max(0, (now - seen) / 1000));
    }
    receivedFrames.incrementAndGet();
  }

  /**
   * The first string value after {@code prefix} in a frame, found without parsing the JSON: the client shares the
   * gateway's two cores, and a full parse of every frame would count against the gateway.
   */
  static String stringField(String frame, String prefix) {
    int start = frame.indexOf(prefix);
    if (start < 0) {
      return null;
    }
    start += prefix.length();
    int end = frame.indexOf('"', start);
    return end < 0 ? null : frame.substring(start, end);
  }

  /** The first integer value after {@code prefix} in a frame; -1 when there is none. */
  static long longField(String frame, String prefix) {
    int i = frame.indexOf(prefix);
    if (i < 0) {
      return -1;
    }
    i += prefix.length();
    long value = 0;
    int digits = 0;
    for (; i < frame.length() && Character.isDigit(frame.charAt(i)); i++, digits++) {
      value = value * 10 + (frame.charAt(i) - '0');
    }
    return digits == 0 ? -1 : value;
  }

  /** Appends one StageProgressed per tick, round-robin over the jobs, for {@code duration}. */
  private void append(Duration duration, boolean measured) throws InterruptedException {
    long period = (long) (1e9 / options.rate());
    long n = duration.toNanos() / period;
    long start = System.nanoTime();
    for (long i = 0; i < n; i++) {
      long wait = start + i * period - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int job = (int) (i % options.jobs());
      if (!appending.compareAndSet(job, 0, 1)) {
        skippedAppends.incrementAndGet();
        continue;
      }
      long version = versions.get(job) + 1;
      long at = System.nanoTime();
      if (measured) {
        appendedAt.put(key(job, version), at);
        expectedFrames.addAndGet(subscribersOf[job]);
      }
      String id = jobIds.get(job);
      // Progress only moves forward, so every report is news: fractions grow with the version.
      JobCommand progress = new JobCommand.ReportProgress(id, Stage.INGEST, ingest.run(), ingest.attempt(), Math.min(1.0, version / 1e6),
          Instant.now());
      vertx.runOnContext(v -> commands.handle(TENANT, progress, JobCommands.Meta.none()).onComplete(ar -> {
        if (ar.succeeded() && ar.result().appended().size() == 1 && ar.result().state().version() == version) {
          versions.set(job, version);
        } else {
          failedAppends.incrementAndGet();
          if (measured && appendedAt.remove(key(job, version)) != null) {
            expectedFrames.addAndGet(-subscribersOf[job]);
          }
          if (ar.succeeded()) {
            versions.set(job, ar.result().state().version());
          }
        }
        appending.set(job, 0);
      }));
    }
  }

  private static long key(int job, long version) {
    return ((long) job << 32) | version;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private void close() {
    closing.set(true);
    if (tap != null) {
      tap.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("closing Vert.x: %s", e);
    }
    kafka.close();
    try {
      Files.deleteIfExists(artifacts);
    } catch (java.io.IOException e) {
      log("%s left behind: %s", artifacts, e);
    }
  }

  private static String pgUrl(PgConnectOptions o) {
    String auth = o.getUser() + (o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword());
    return "postgresql://" + auth + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /** Reads the job events topic as the gateway does (every partition, from the end) and times each event's arrival. */
  private final class KafkaTap implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWire<io.songmap.avro.JobEvent> wire = AvroWire.jobEvent();
    private final Thread thread;
    private volatile boolean running = true;

    KafkaTap() {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> partitions = consumer.partitionsFor(KafkaTopics.DEFAULT.jobEvents(), Duration.ofSeconds(30))
          .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      thread = new Thread(this::loop, "bench-kafka-tap");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      try {
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            long now = System.nanoTime();
            io.songmap.avro.JobEvent e = wire.decode(r.value());
            Integer job = jobIndex.get(e.getJobId());
            Long at = job == null ? null : appendedAt.get(key(job, e.getVersion()));
            if (at != null) {
              onKafkaAt.put(key(job, e.getVersion()), now);
              kafkaMicros.recordValue(Math.max(0, (now - at) / 1000));
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close(Duration.ofSeconds(2));
      }
    }

    @Override
    public void close() {
      running = false;
      consumer.wakeup();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Transactions committed in the benchmark's database so far (every statement outside one counts as one). */
  private long transactions() {
    return await(pool.preparedQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = $1")
        .execute(Tuple.of(DATABASE))).iterator().next().getLong(0);
  }

  /** CPU ticks (1/100 s) a process has spent so far, from /proc/<pid>/stat. */
  private static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU ticks spent so far by the PostgreSQL backends serving the benchmark's database. */
  private static long backendTicks() {
    long ticks = 0;
    java.io.File[] procs = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
    for (java.io.File proc : procs == null ? new java.io.File[0] : procs) {
      try {
        String cmd = Files.readString(proc.toPath().resolve("cmdline"));
        if (cmd.startsWith("postgres: ") && cmd.contains(" " + DATABASE + " ")) {
          ticks += processTicks(Long.parseLong(proc.getName()));
        }
      } catch (java.io.IOException | RuntimeException e) {
        // a process that ended meanwhile
      }
    }
    return ticks;
  }

  /** A line of /proc/self/limits, for the log. */
  private static String limitLine(String name) {
    try {
      return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith(name))
          .map(l -> l.substring(name.length()).trim().replaceAll("\\s+", " ")).findFirst().orElse("unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }


  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }



  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
