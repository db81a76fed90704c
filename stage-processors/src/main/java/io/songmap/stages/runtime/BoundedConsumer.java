package io.songmap.stages.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An at-least-once Kafka consumer with bounded in-flight work.
 *
 * <p>One dedicated thread owns the {@link KafkaConsumer}; each record is handed to {@code handler}
 * on the Vert.x context that created this consumer. At most {@code maxInFlight} records are being
 * handled at once: when the bound is reached every assigned partition is paused, and resumed once
 * work drains. An offset is committed only when it and every offset before it on its partition have
 * completed (commits are batched, at most one per {@code commitInterval}, and a final one on stop),
 * so a crash redelivers whatever was not finished or not yet committed. A handler failure with {@link
 * DeadLetter} sends the record to {@code <topic>.dlq} with the reason in its headers; any other
 * failure is retried with backoff, because it means our own dependencies are unwell, not the record.
 */
public final class BoundedConsumer implements AutoCloseable {
  public static final String DLQ_SUFFIX = ".dlq";
  public static final String H_ERROR_CODE = "songmap.error.code";
  public static final String H_ERROR_MESSAGE = "songmap.error.message";
  public static final String H_SOURCE_TOPIC = "songmap.source.topic";
  public static final String H_SOURCE_PARTITION = "songmap.source.partition";
  public static final String H_SOURCE_OFFSET = "songmap.source.offset";
  public static final String H_FAILED_AT = "songmap.failed.at";

  private static final Logger log = LoggerFactory.getLogger(BoundedConsumer.class);

  /** Consumer settings; validated at construction. */
  public record Settings(
      String bootstrapServers,
      String groupId,
      List<String> topics,
      int maxInFlight,
      Duration pollTimeout,
      Duration retryBackoffMax,
      Duration shutdownGrace,
      Duration commitInterval,
      Map<String, Object> consumerOverrides) {
    public Settings {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(groupId, "groupId");
      if (topics == null || topics.isEmpty()) {
        throw new IllegalArgumentException("at least one topic is required");
      }
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
      }
      pollTimeout = pollTimeout == null ? Duration.ofMillis(100) : pollTimeout;
      retryBackoffMax = retryBackoffMax == null ? Duration.ofSeconds(5) : retryBackoffMax;
      shutdownGrace = shutdownGrace == null ? Duration.ofSeconds(10) : shutdownGrace;
      commitInterval = commitInterval == null ? Duration.ofMillis(100) : commitInterval;
      topics = List.copyOf(topics);
      consumerOverrides = consumerOverrides == null ? Map.of() : Map.copyOf(consumerOverrides);
    }

    public static Settings of(String bootstrapServers, String groupId, List<String> topics, int maxInFlight) {
      return new Settings(bootstrapServers, groupId, topics, maxInFlight, null, null, null, null, null);
    }
  }

  private record Done(TopicPartition partition, long offset) {}

  private final Settings settings;
  private final Vertx vertx;
  private final Context context;
  private final Function<ConsumerRecord<byte[], byte[]>, Future<Void>> handler;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> dlqProducer;
  private final ConcurrentLinkedQueue<Done> completions = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Promise<Void> stopped = Promise.promise();
  private final Thread pollThread;

  // Owned by the poll thread.
  private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
  private int inFlight;
  private boolean paused;
  private long lastCommitNanos;
  private volatile int inFlightGauge;

  private BoundedConsumer(Vertx vertx, Settings settings, Function<ConsumerRecord<byte[], byte[]>, Future<Void>> handler) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.handler = handler;
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, settings.maxInFlight()));
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    c.putAll(settings.consumerOverrides());
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.dlqProducer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.pollThread = new Thread(this::pollLoop, "kafka-consumer-" + settings.groupId());
    this.pollThread.setDaemon(true);
  }

  /**
   * Starts consuming. {@code handler} runs on the calling Vert.x context (call this from a
   * verticle's {@code start}); its Future completes when the record's effect is durable.
   */
  public static BoundedConsumer start(Vertx vertx, Settings settings,
      Function<ConsumerRecord<byte[], byte[]>, Future<Void>> handler) {
    BoundedConsumer c = new BoundedConsumer(vertx, settings, handler);
    c.pollThread.start();
    return c;
  }

  /** Records being handled right now. */
  public int inFlight() {
    return inFlightGauge;
  }

  /**
   * Stops polling, waits up to the shutdown grace for in-flight records, commits what completed and
   * leaves the group. Records not finished by then are redelivered to whoever takes the partitions.
   */
  public Future<Void> stop() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
    }
    return stopped.future();
  }

  @Override
  public void close() {
    stop();
  }

  private void pollLoop() {
    try {
      consumer.subscribe(settings.topics(), new Rebalance());
      while (running.get()) {
        drainCompletions();
        dispatchBuffered();
        try {
          var records = consumer.poll(settings.pollTimeout());
          for (var r : records) {
            buffered.add(r);
          }
        } catch (WakeupException e) {
          // Woken to look at completions or to stop.
        }
        dispatchBuffered();
        updatePause();
        // Committing after every poll would be a write to the offsets topic per poll; a crash redelivers at
        // most one interval's worth of completed records, which the handlers take as duplicates.
        if (System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos()) {
          commitReady(false);
        }
      }
      shutdown();
    } catch (Throwable t) {
      log.error("consumer {} stopped on an unexpected error", settings.groupId(), t);
      closeQuietly();
      stopped.tryFail(t);
    }
  }

  private void shutdown() {
    long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
    while (inFlight > 0 && System.nanoTime() < deadline) {
      drainCompletions();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    drainCompletions();
    if (inFlight > 0) {
      log.warn("consumer {} abandons {} in-flight record(s); they will be redelivered", settings.groupId(), inFlight);
    }
    commitReady(true);
    closeQuietly();
    stopped.tryComplete();
  }

  private void closeQuietly() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("closing consumer {}: {}", settings.groupId(), e.toString());
    }
    dlqProducer.close(Duration.ofSeconds(5));
  }

  private void dispatchBuffered() {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    while (inFlight < settings.maxInFlight() && !buffered.isEmpty()) {
      ConsumerRecord<byte[], byte[]> r = buffered.poll();
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (!nextOffset.containsKey(tp) && !pending.containsKey(tp) && !consumer.assignment().contains(tp)) {
        continue; // partition was revoked while the record sat in the buffer: its new owner will see it
      }
      pending.computeIfAbsent(tp, k -> new TreeSet<>()).add(r.offset());
      nextOffset.merge(tp, r.offset() + 1, Math::max);
      inFlight++;
      inFlightGauge = inFlight;
      batch.add(r);
    }
    if (!batch.isEmpty()) {
      // One hop onto the context per poll rather than per record.
      context.runOnContext(v -> {
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          handle(r, new TopicPartition(r.topic(), r.partition()), 0);
        }
      });
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, int attempt) {
    Future<Void> f;
    try {
      f = handler.apply(r);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(v -> complete(tp, r.offset()))
        .onFailure(err -> {
          if (err instanceof DeadLetter dl) {
            deadLetter(r, dl).onComplete(ar -> {
              if (ar.succeeded()) {
                complete(tp, r.offset());
              } else {
                retryLater(r, tp, attempt, ar.cause());
              }
            });
          } else {
            retryLater(r, tp, attempt, err);
          }
        });
  }

  private void retryLater(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, int attempt, Throwable err) {
    if (!running.get()) {
      // Shutting down: leave it uncommitted so it is redelivered.
      log.warn("{}@{}: not retried during shutdown: {}", tp, r.offset(), err.toString());
      completions.add(new Done(tp, -1));
      return;
    }
    long delay = Math.min(settings.retryBackoffMax().toMillis(), 50L << Math.min(attempt, 10));
    log.warn("{}@{}: handler failed (attempt {}), retrying in {} ms: {}", tp, r.offset(), attempt + 1, delay, err.toString());
    vertx.setTimer(delay, id -> handle(r, tp, attempt + 1));
  }

  private Future<Void> deadLetter(ConsumerRecord<byte[], byte[]> r, DeadLetter dl) {
    RecordHeaders headers = new RecordHeaders(r.headers().toArray());
    headers.add(H_ERROR_CODE, utf8(dl.code()));
    headers.add(H_ERROR_MESSAGE, utf8(String.valueOf(dl.getMessage())));
    headers.add(H_SOURCE_TOPIC, utf8(r.topic()));
    headers.add(H_SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
    headers.add(H_SOURCE_OFFSET, utf8(Long.toString(r.offset())));
    headers.add(H_FAILED_AT, utf8(Instant.now().toString()));
    Promise<Void> sent = Promise.promise();
    dlqProducer.send(new ProducerRecord<>(r.topic() + DLQ_SUFFIX, null, r.key(), r.value(), headers), (md, ex) -> {
      if (ex == null) {
        log.info("{}-{}@{} moved to {}{}: {} {}", r.topic(), r.partition(), r.offset(), r.topic(), DLQ_SUFFIX,
            dl.code(), dl.getMessage());
        sent.complete();
      } else {
        sent.fail(ex);
      }
    });
    return sent.future();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void complete(TopicPartition tp, long offset) {
    completions.add(new Done(tp, offset));
    if (paused) {
      consumer.wakeup();
    }
  }

  private void drainCompletions() {
    Done d;
    while ((d = completions.poll()) != null) {
      inFlight--;
      inFlightGauge = inFlight;
      if (d.offset() >= 0) {
        TreeSet<Long> set = pending.get(d.partition());
        if (set != null) {
          set.remove(d.offset());
        }
      }
    }
  }

  private void updatePause() {
    var assigned = consumer.assignment();
    boolean full = inFlight >= settings.maxInFlight() || !buffered.isEmpty();
    if (full && !paused) {
      consumer.pause(assigned);
      paused = true;
    } else if (!full && paused) {
      consumer.resume(consumer.paused());
      paused = false;
    } else if (paused) {
      consumer.pause(assigned); // newly assigned partitions start paused too
    }
  }

  private void commitReady(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    for (var e : nextOffset.entrySet()) {
      TopicPartition tp = e.getKey();
      TreeSet<Long> set = pending.get(tp);
      long committable = (set == null || set.isEmpty()) ? e.getValue() : set.first();
      if (!Long.valueOf(committable).equals(committed.get(tp))) {
        toCommit.put(tp, new OffsetAndMetadata(committable));
      }
    }
    lastCommitNanos = System.nanoTime();
    if (toCommit.isEmpty()) {
      return;
    }
    if (sync) {
      try {
        consumer.commitSync(toCommit, Duration.ofSeconds(5));
        toCommit.forEach((tp, om) -> committed.put(tp, om.offset()));
      } catch (RuntimeException e) {
        log.warn("final commit of {} failed: {}", settings.groupId(), e.toString());
      }
    } else {
      toCommit.forEach((tp, om) -> committed.put(tp, om.offset()));
      consumer.commitAsync(toCommit, (offsets, ex) -> {
        if (ex != null) {
          log.warn("commit of {} failed, will retry: {}", settings.groupId(), ex.toString());
          offsets.keySet().forEach(committed::remove);
        }
      });
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commitReady(true);
      for (TopicPartition tp : partitions) {
        pending.remove(tp);
        nextOffset.remove(tp);
        committed.remove(tp);
      }
      buffered.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (paused) {
        consumer.pause(partitions);
      }
    }
  }
}
