package io.songmap.stages.relay;

import io.songmap.avro.wire.AvroWire;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.TaskDispatch;
import io.songmap.stages.runtime.KafkaTopics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each stage task straight to its stage's topic once the append that records it commits, with an idempotent
 * producer of its own. Without it a task waits for the relay to hear of the commit, read the event back and send it:
 * about a third of a stage hop's time here (docs/BENCHMARKS.md).
 *
 * <p>The relay remains what guarantees delivery. A {@link Relay} given this dispatch {@linkplain #claim claims} each
 * task it reads: if the task was sent (or is being sent) from here, the relay waits for that send's acknowledgement
 * instead of sending it again, and sends it itself only if the direct send failed or the append's outcome was
 * unknown, or if no acknowledgement came within {@link Limits#relayWait()} (an append whose reply never arrives
 * would otherwise hold the relay back). A task announced here is remembered until the relay claims it, for at most
 * the retention (and at most {@code capacity} tasks); a relay in another process, or one that falls behind by more
 * than that, sends its own copy as well, which the stage workers take as the duplicate it is (one result per
 * attempt).
 */
public final class DirectDispatch implements TaskDispatch, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectDispatch.class);

  /**
   * @param retention how long an announced task waits for the relay to claim it
   * @param capacity how many announced tasks are remembered at most (the oldest go first)
   * @param relayWait how long the relay waits for a claimed task's direct send before sending it itself; longer
   *     than the producer's delivery timeout, so that it only covers a send that never started
   */
  public record Limits(Duration retention, int capacity, Duration relayWait) {
    public static final Limits DEFAULTS = new Limits(Duration.ofMinutes(1), 100_000,
        Relay.DELIVERY_TIMEOUT.plusSeconds(5));

    public Limits {
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive: " + retention);
      }
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
      }
      if (relayWait.isNegative() || relayWait.isZero()) {
        throw new IllegalArgumentException("relayWait must be positive: " + relayWait);
      }
    }
  }

  private final KafkaProducer<String, byte[]> producer;
  private final KafkaTopics topics;
  private final Limits limits;
  /** Announced tasks by event id, oldest first; guarded by itself. */
  private final LinkedHashMap<UUID, Announced> announced = new LinkedHashMap<>();
  private long forgotten;

  private record Announced(long atNanos, Promise<Void> sent) {}

  private DirectDispatch(KafkaProducer<String, byte[]> producer, KafkaTopics topics, Limits limits) {
    this.producer = producer;
    this.topics = topics;
    this.limits = limits;
  }

  /**
   * Creates the producer and fetches the stage topics' metadata, so that no send has to wait for it. Blocks: call it
   * while setting up, not on an event loop.
   */
  public static DirectDispatch create(String bootstrapServers, KafkaTopics topics, Map<String, Object> producerOverrides,
      Limits limits) {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(limits, "limits");
    List<String> stageTopics = Arrays.stream(Stage.values()).map(topics::stage).toList();
    // One produce request in flight at a time: a task sent while the previous request is out waits for it and
    // goes with whatever else queued meanwhile. A lone task goes at once; a burst of them goes in batches instead
    // of one request each, which is what the broker's CPU pays for.
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    settings.putAll(producerOverrides);
    KafkaProducer<String, byte[]> producer = Relay.producer(bootstrapServers,
        "direct-dispatch-" + ManagementFactory.getRuntimeMXBean().getName(), settings, stageTopics);
    return new DirectDispatch(producer, topics, limits);
  }

  public static DirectDispatch create(String bootstrapServers, KafkaTopics topics) {
    return create(bootstrapServers, topics, Map.of(), Limits.DEFAULTS);
  }

  public Limits limits() {
    return limits;
  }

  @Override
  public Pending prepare(String tenant, List<Requested> requested) {
    List<Promise<Void>> sends = new ArrayList<>(requested.size());
    long now = System.nanoTime();
    synchronized (announced) {
      for (Requested r : requested) {
        Promise<Void> sent = Promise.promise();
        announced.put(r.eventId(), new Announced(now, sent));
        sends.add(sent);
      }
      forgetOld(now);
    }
    return new Pending() {
      @Override
      public void committed() {
        for (int i = 0; i < requested.size(); i++) {
          send(tenant, requested.get(i), sends.get(i));
        }
      }

      @Override
      public void abandoned() {
        IllegalStateException notSent = new IllegalStateException("the append's outcome is not known: not sent");
        synchronized (announced) {
          for (Requested r : requested) {
            announced.remove(r.eventId());
          }
        }
        sends.forEach(s -> s.tryFail(notSent));
      }
    };
  }

  private void send(String tenant, Requested r, Promise<Void> sent) {
    try {
      byte[] task = AvroWire.stageTask().encode(JobEventAvro.stageTask(r.eventId(), tenant, r.event(),
          r.correlationId()));
      producer.send(new ProducerRecord<>(topics.stage(r.event().stage()), r.event().jobId(), task), (metadata, e) -> {
        if (e == null) {
          sent.tryComplete();
        } else {
          notSent(r, sent, e);
        }
      });
    } catch (RuntimeException e) {
      notSent(r, sent, e);
    }
  }

  private static void notSent(Requested r, Promise<Void> sent, Exception e) {
    log.debug("direct send of task {} failed, the relay will send it: {}", r.eventId(), e.toString());
    sent.tryFail(e);
  }

  /** Called holding the lock: drops what is past its retention or over the capacity, oldest first. */
  private void forgetOld(long now) {
    Iterator<Announced> oldest = announced.values().iterator();
    while (oldest.hasNext()) {
      Announced a = oldest.next();
      if (announced.size() <= limits.capacity() && now - a.atNanos() < limits.retention().toNanos()) {
        return;
      }
      oldest.remove();
      forgotten++;
    }
  }

  /**
   * The direct send of the task stored under {@code eventId}, which completes once the broker acknowledged it and
   * fails if it was not sent; {@code null} when this dispatch does not know the task (announced elsewhere, or
   * forgotten). Each task is claimed once.
   */
  public Future<Void> claim(UUID eventId) {
    Announced a;
    synchronized (announced) {
      a = announced.remove(eventId);
    }
    return a == null ? null : a.sent().future();
  }

  /** Tasks announced and not claimed yet. */
  public int pending() {
    synchronized (announced) {
      return announced.size();
    }
  }

  /** Tasks dropped unclaimed (past the retention or over the capacity) since the start. */
  public long forgotten() {
    synchronized (announced) {
      return forgotten;
    }
  }

  /** Sends what is queued and closes the producer; blocks for up to five seconds. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
