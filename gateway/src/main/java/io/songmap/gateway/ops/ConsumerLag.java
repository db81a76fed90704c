package io.songmap.gateway.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag of the pipeline's consumer groups: per group and topic, the records on the topic's partitions that
 * the group has not committed yet (end offset minus committed offset, summed over partitions). Read with the
 * Kafka admin client every {@code interval} on a worker thread, and kept: a scrape reads the last figures and
 * never waits for Kafka, and a failed read leaves them as they were.
 *
 * <p>Only groups whose name starts with the topic prefix and that have committed on one of the watched topics
 * are reported. A partition of such a topic the group has never committed on counts from the partition's first
 * offset, as the pipeline's consumers start from the earliest record.
 */
public final class ConsumerLag implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** One group's lag on one topic. */
  private record Lag(String group, String topic, long records) {}

  private final Vertx vertx;
  private final Properties adminConfig = new Properties();
  private final String groupPrefix;
  private final Set<String> topics;
  private final MultiGauge gauge;
  private final AtomicBoolean reading = new AtomicBoolean();
  private final long timer;
  // Created on the first reading, on a worker thread: creating a client resolves the brokers' names.
  private Admin admin;
  private boolean closed;
  private volatile boolean failing;

  /**
   * @param groupPrefix only groups whose name starts with it are read (the topic prefix; empty for all)
   * @param topics the topics whose lag is reported
   */
  public ConsumerLag(Vertx vertx, String bootstrapServers, String groupPrefix, Collection<String> topics,
      Duration interval, MeterRegistry registry) {
    this.vertx = vertx;
    this.groupPrefix = groupPrefix;
    this.topics = Set.copyOf(topics);
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "songmap-gateway-lag-" + java.util.UUID.randomUUID());
    this.gauge = MultiGauge.builder("songmap_kafka_consumer_lag")
        .description("records on a topic not yet committed by a consumer group, read every " + interval.toSeconds()
            + " s")
        .register(registry);
    this.timer = vertx.setPeriodic(0, interval.toMillis(), id -> refresh());
  }

  /** Reads the lag on a worker thread, unless the previous reading is still under way. */
  private void refresh() {
    if (!reading.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(this::read, false)
        .onSuccess(lags -> {
          gauge.register(lags.stream()
              .<MultiGauge.Row<?>>map(l -> MultiGauge.Row.of(Tags.of("group", l.group(), "topic", l.topic()),
                  l.records()))
              .toList(), true);
          if (failing) {
            failing = false;
            log.info("reading consumer lag works again");
          }
        })
        .onFailure(e -> {
          // Kafka being down is reported by /health/ready; say it here once, not on every tick.
          if (!failing) {
            failing = true;
            log.warn("reading consumer lag failed; keeping the last figures: {}", e.toString());
          }
        })
        .onComplete(ar -> reading.set(false));
  }

  private List<Lag> read() throws Exception {
    Admin admin;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (this.admin == null) {
        this.admin = Admin.create(adminConfig);
      }
      admin = this.admin;
    }
    long timeout = TIMEOUT.toMillis();
    Map<String, ListConsumerGroupOffsetsSpec> groups = new HashMap<>();
    for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()
        .get(timeout, TimeUnit.MILLISECONDS)) {
      if (g.groupId().startsWith(groupPrefix)) {
        groups.put(g.groupId(), new ListConsumerGroupOffsetsSpec());
      }
    }
    if (groups.isEmpty()) {
      return List.of();
    }
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = admin.listConsumerGroupOffsets(groups)
        .all().get(timeout, TimeUnit.MILLISECONDS);
    Map<String, Set<String>> topicsByGroup = new TreeMap<>();
    Set<String> watched = new HashSet<>();
    committed.forEach((group, offsets) -> offsets.keySet().stream().map(TopicPartition::topic)
        .filter(topics::contains).forEach(t -> {
          topicsByGroup.computeIfAbsent(group, k -> new java.util.TreeSet<>()).add(t);
          watched.add(t);
        }));
    if (watched.isEmpty()) {
      return List.of();
    }
    Map<String, TopicDescription> described = admin.describeTopics(watched).allTopicNames()
        .get(timeout, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    described.values().forEach(d -> d.partitions().forEach(p -> {
      TopicPartition tp = new TopicPartition(d.name(), p.partition());
      latest.put(tp, OffsetSpec.latest());
      earliest.put(tp, OffsetSpec.earliest());
    }));
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
        .get(timeout, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
        .get(timeout, TimeUnit.MILLISECONDS);
    List<Lag> lags = new ArrayList<>();
    topicsByGroup.forEach((group, groupTopics) -> {
      Map<TopicPartition, OffsetAndMetadata> offsets = committed.get(group);
      for (String topic : groupTopics) {
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
          if (!end.getKey().topic().equals(topic)) {
            continue;
          }
          OffsetAndMetadata at = offsets.get(end.getKey());
          long from = at != null ? at.offset() : starts.get(end.getKey()).offset();
          lag += Math.max(0, end.getValue().offset() - from);
        }
        lags.add(new Lag(group, topic, lag));
      }
    });
    return lags;
  }

  /** Blocking: call it off the event loop. A reading under way fails. */
  @Override
  public void close() {
    vertx.cancelTimer(timer);
    Admin open;
    synchronized (this) {
      closed = true;
      open = admin;
      admin = null;
    }
    if (open != null) {
      open.close(Duration.ofSeconds(2));
    }
  }
}
