package io.songmap.loadtests.wakeup;

import static io.songmap.loadtests.Bench.await;

import ch.qos.logback.classic.Level;
import io.songmap.loadtests.Bench;
import io.songmap.loadtests.BrokerProcess;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.HdrHistogram.Histogram;

/**
 * What one step of a hop costs when the machine idles between steps and when it does not: a one-row commit
 * through the service's PostgreSQL client, and a record from a producer to a consumer through a broker in a JVM of
 * its own, each at a low rate (the pipeline benchmark's pace) and back to back.
 */
public final class Main {
  private static final String DATABASE = "songmap_bench_wakeup";
  private static final String TOPIC = "songmap.bench.wakeup";

  record Options(List<Double> rates, double seconds, int rounds, String pgUrl) {
    static String help() {
      return String.join("\n",
          "load-tests/run wakeup [options]",
          "  Times a one-row INSERT with its commit (the service's PostgreSQL client, synchronous commit, one at a",
          "  time) and a record from producer to consumer (a broker in a JVM of its own, acks=all, linger 0), at",
          "  each rate in turn, and prints per probe and rate:",
          "  wakeup <probe> at <rate>/s: p50 <ms> ms p99 <ms> ms (<n> samples)",
          "",
          "  --rates R,R         steps per second, one after the other (default 20,1000)",
          "  --seconds S         length of each rate's run (default 20; at most 20,000 samples)",
          "  --rounds N          how many times the rates are gone through (default 2)",
          "  PostgreSQL: SONGMAP_PG_URL (the db part is replaced by " + DATABASE + "), default "
              + TestPostgres.DEFAULT_URL);
    }

    static Options parse(String[] args) {
      List<Double> rates = List.of(20.0, 1000.0);
      double seconds = 20;
      int rounds = 2;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--rates" -> rates = java.util.Arrays.stream(value.split(",")).map(Double::parseDouble).toList();
          case "--seconds" -> seconds = Double.parseDouble(value);
          case "--rounds" -> rounds = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
        }
        i++;
      }
      if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || seconds <= 0 || rounds < 1) {
        throw new IllegalArgumentException("rates and seconds must be positive, rounds at least 1");
      }
      String url = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
      return new Options(rates, seconds, rounds, url);
    }
  }

  /** One timed step: returns its duration in nanoseconds. */
  private interface Probe {
    long once() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(Options.help());
      return;
    }
    Options options = Options.parse(args);
    Bench.logToStderr(Level.WARN);
    Vertx vertx = Vertx.vertx();
    PgConnectOptions pg = TestPostgres.parse(options.pgUrl()).setDatabase(DATABASE)
        .addProperty("application_name", "songmap-bench-wakeup");
    Bench.freshDatabase(pg);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(pg).using(vertx).build();
    await(pool.query("CREATE TABLE wakeup (at bigint NOT NULL)").execute());
    Path log = Files.createTempFile("songmap-bench-wakeup-broker-", ".log");
    try (BrokerProcess broker = BrokerProcess.start(List.of("-Xms512m", "-Xmx512m"),
        Map.of("num.io.threads", "2", "num.network.threads", "1"), log);
        KafkaHop kafka = new KafkaHop(broker.bootstrapServers())) {
      Probe commit = () -> {
        Promise<Long> took = Promise.promise();
        vertx.runOnContext(v -> {
          long t0 = System.nanoTime();
          pool.preparedQuery("INSERT INTO wakeup VALUES ($1)").execute(io.vertx.sqlclient.Tuple.of(t0))
              .onComplete(ar -> {
                if (ar.succeeded()) {
                  took.complete(System.nanoTime() - t0);
                } else {
                  took.fail(ar.cause());
                }
              });
        });
        return await(took.future());
      };
      // Warm both paths up before anything is timed.
      run(commit, 1000, 3);
      run(kafka::once, 1000, 3);
      for (int round = 0; round < options.rounds(); round++) {
        for (double rate : options.rates()) {
          print("pg-commit", rate, run(commit, rate, options.seconds()));
          print("kafka-hop", rate, run(kafka::once, rate, options.seconds()));
        }
      }
    } finally {
      await(vertx.close());
    }
  }

  private static Histogram run(Probe probe, double rate, double seconds) throws Exception {
    int n = (int) Math.min(20_000, Math.max(1, Math.round(rate * seconds)));
    Histogram h = new Histogram(60_000_000_000L, 3);
    long period = (long) (1e9 / rate);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long wait = start + i * period - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      h.recordValue(probe.once());
    }
    return h;
  }

  private static void print(String probe, double rate, Histogram h) {
    System.out.printf(Locale.ROOT, "wakeup %s at %s/s: p50 %.3f ms p99 %.3f ms (%d samples)%n", probe,
        rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate),
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getTotalCount());
  }

  /** A producer and a consumer on one single-partition topic; the consumer polls on a thread of its own. */
  private static final class KafkaHop implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;

    KafkaHop(String bootstrap) throws Exception {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.put("acks", "all");
      p.put("enable.idempotence", "true");
      p.put("linger.ms", "0");
      producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
      Properties c = new Properties();
      c.put("bootstrap.servers", bootstrap);
      c.put("enable.auto.commit", "false");
      c.put("fetch.max.wait.ms", "100");
      consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      poller = new Thread(() -> {
        try {
          while (running.get()) {
            for (var r : consumer.poll(Duration.ofMillis(100))) {
              arrivals.offer(System.nanoTime() - ByteBuffer.wrap(r.value()).getLong());
            }
          }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
          // closing
        } finally {
          consumer.close();
        }
      }, "wakeup-consumer");
      poller.start();
    }

    long once() throws Exception {
      producer.send(new ProducerRecord<>(TOPIC, ByteBuffer.allocate(8).putLong(System.nanoTime()).array()));
      Long took = arrivals.poll(30, TimeUnit.SECONDS);
      if (took == null) {
        throw new IllegalStateException("a record did not arrive within 30 s");
      }
      return took;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      consumer.wakeup();
      poller.join(5000);
      producer.close();
    }
  }
}
