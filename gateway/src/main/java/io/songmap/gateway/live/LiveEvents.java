package io.songmap.gateway.live;

import io.songmap.avro.JobEvent;
import io.songmap.avro.wire.AvroWire;
import io.songmap.avro.wire.AvroWireException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job events as they are published to {@code songmap.job-events.v1}, fanned out in memory to whoever follows a
 * job or a tenant. Every gateway reads every partition itself (manual assignment, no consumer group, from the end
 * at start), so any number of replicas each see every event; what happened before a subscriber came is read from
 * the event store, not from Kafka.
 *
 * <p>One thread owns the consumer; each subscriber's handler runs on the Vert.x context it subscribed from.
 */
public final class LiveEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);
  private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);

  /** A published event: whose it is, its place in the job's stream and its type. */
  public record LiveEvent(String tenant, String jobId, long version, String type) {}

  /** Stops a subscription. */
  public interface Registration {
    void cancel();
  }

  private record Subscriber(Context context, Consumer<LiveEvent> handler) {}

  private final Vertx vertx;
  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroWire<JobEvent> wire = AvroWire.jobEvent();
  private final Map<String, Set<Subscriber>> byJob = new ConcurrentHashMap<>();
  private final Map<String, Set<Subscriber>> byTenant = new ConcurrentHashMap<>();
  private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Promise<Void> positioned = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();
  private final Thread thread;
  private volatile long received;

  private LiveEvents(Vertx vertx, String bootstrapServers, String topic) {
    this.vertx = vertx;
    this.topic = topic;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "songmap-gateway-live-" + java.util.UUID.randomUUID());
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "songmap-live-events");
    this.thread.setDaemon(true);
  }

  /** Starts following {@code topic}; completes once every partition is positioned at its end. */
  public static Future<LiveEvents> start(Vertx vertx, String bootstrapServers, String topic) {
    LiveEvents live = new LiveEvents(vertx, bootstrapServers, topic);
    live.thread.start();
    return live.positioned.future().timeout(60, java.util.concurrent.TimeUnit.SECONDS).map(live);
  }

  /** Follows one job; {@code handler} runs on the caller's context. */
  public Registration subscribe(String tenant, String jobId, Consumer<LiveEvent> handler) {
    return add(byJob, tenant + "/" + jobId, handler);
  }

  /** Follows every job of a tenant. */
  public Registration subscribeTenant(String tenant, Consumer<LiveEvent> handler) {
    return add(byTenant, tenant, handler);
  }

  /**
   * Calls {@code listener} with every readable job event received from now on, whole (payload and time
   * included), on the consumer's thread before the event is fanned out: it must be quick, never block and be
   * safe to call from that thread. A listener that throws is logged and does not stop the others.
   */
  public void addListener(Consumer<JobEvent> listener) {
    listeners.add(listener);
  }

  /** Events received since start, for the metrics. */
  public long received() {
    return received;
  }

  private Registration add(Map<String, Set<Subscriber>> index, String key, Consumer<LiveEvent> handler) {
    Subscriber s = new Subscriber(vertx.getOrCreateContext(), handler);
    index.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(s);
    return () -> index.computeIfPresent(key, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  private void run() {
    try {
      Set<TopicPartition> assigned = assignAll(new HashSet<>());
      for (TopicPartition tp : assigned) {
        consumer.position(tp); // fixes "the end" now, before anyone relies on seeing what comes after
      }
      positioned.tryComplete();
      long nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
      while (running.get()) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            dispatch(r);
          }
        } catch (WakeupException e) {
          // stopping
        }
        if (System.nanoTime() > nextRefresh && running.get()) {
          assigned = assignAll(assigned);
          nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
        }
      }
    } catch (Throwable t) {
      if (running.get()) {
        log.error("live job events consumer stopped", t);
      }
      positioned.tryFail(t);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        log.debug("closing the live events consumer: {}", e.toString());
      }
      stopped.tryComplete();
    }
  }

  /** Assigns every partition of the topic; ones new since {@code known} are read from their start. */
  private Set<TopicPartition> assignAll(Set<TopicPartition> known) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    Set<TopicPartition> all = new HashSet<>();
    for (PartitionInfo i : infos == null ? List.<PartitionInfo>of() : infos) {
      all.add(new TopicPartition(i.topic(), i.partition()));
    }
    if (all.equals(known)) {
      return known;
    }
    consumer.assign(all);
    List<TopicPartition> fresh = new ArrayList<>(all);
    fresh.removeAll(known);
    if (known.isEmpty()) {
      consumer.seekToEnd(fresh);
    } else {
      consumer.seekToBeginning(fresh);
    }
    return all;
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> r) {
    JobEvent e;
    try {
      e = wire.decode(r.value());
    } catch (AvroWireException bad) {
      log.warn("{}-{}@{}: unreadable job event skipped: {}", r.topic(), r.partition(), r.offset(), bad.getMessage());
      return;
    }
    received++;
    for (Consumer<JobEvent> listener : listeners) {
      try {
        listener.accept(e);
      } catch (RuntimeException failed) {
        log.warn("job event listener failed on {}-{}@{}", r.topic(), r.partition(), r.offset(), failed);
      }
    }
    LiveEvent event = new LiveEvent(e.getTenant(), e.getJobId(), e.getVersion(), e.getType());
    deliver(byJob.get(event.tenant() + "/" + event.jobId()), event);
    deliver(byTenant.get(event.tenant()), event);
  }

  private static void deliver(Set<Subscriber> subscribers, LiveEvent event) {
    if (subscribers == null) {
      return;
    }
    for (Subscriber s : subscribers) {
      s.context().runOnContext(v -> s.handler().accept(event));
    }
  }

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
}
