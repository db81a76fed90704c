package io.songmap.stages.relay;

import io.songmap.stages.runtime.EnvValues;
import io.songmap.stages.runtime.KafkaTopics;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of the relay.
 *
 * @param bootstrapServers Kafka brokers ({@code SONGMAP_KAFKA_BOOTSTRAP})
 * @param topics topic names, with an optional prefix ({@code SONGMAP_KAFKA_TOPIC_PREFIX})
 * @param subscriptionName the event-store subscription: its checkpoint and its lease
 * @param owner this process's name in the lease table
 * @param pageSize events per page; a page is published and checkpointed as one unit
 * @param minPoll first wait after a read found events held back above its fence (doubled up to {@code maxPoll}
 *     while they stay so), cut short by a notification
 * @param maxPoll longest wait between reads when no notification comes, also once the log is drained (a
 *     notification lost while the LISTEN connection reconnects is found this late). Short by default: the
 *     gap-safe read sees nothing while any older transaction of the PostgreSQL cluster runs (other databases'
 *     too), and no notification says when that one ends
 * @param leaseTtl how long a relay that stopped renewing keeps the lease before another takes over
 * @param heartbeat how often the owner renews its lease, and a standby tries to take it
 * @param delayedScan how often due delayed tasks are looked for (they are also published by a timer
 *     set for their due time)
 * @param delayedBatch delayed tasks published per transaction
 * @param producerOverrides extra Kafka producer settings laid over the relay's own
 */
public record RelayConfig(String bootstrapServers, KafkaTopics topics, String subscriptionName, String owner,
    int pageSize, Duration minPoll, Duration maxPoll, Duration leaseTtl, Duration heartbeat, Duration delayedScan,
    int delayedBatch, Map<String, Object> producerOverrides) {

  public static final String DEFAULT_SUBSCRIPTION = "relay";

  public RelayConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(subscriptionName, "subscriptionName");
    Objects.requireNonNull(owner, "owner");
    producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
    if (pageSize < 1 || delayedBatch < 1) {
      throw new IllegalArgumentException("pageSize and delayedBatch must be positive");
    }
    if (!positive(minPoll) || maxPoll.compareTo(minPoll) < 0) {
      throw new IllegalArgumentException("need 0 < minPoll <= maxPoll, got " + minPoll + " and " + maxPoll);
    }
    if (!positive(heartbeat) || heartbeat.multipliedBy(2).compareTo(leaseTtl) > 0) {
      throw new IllegalArgumentException("heartbeat " + heartbeat + " must be positive and at most half of leaseTtl "
          + leaseTtl);
    }
    if (!positive(delayedScan)) {
      throw new IllegalArgumentException("delayedScan must be positive");
    }
  }

  /** The defaults, for brokers at {@code bootstrapServers}. */
  public static RelayConfig defaults(String bootstrapServers) {
    return new RelayConfig(bootstrapServers, KafkaTopics.DEFAULT, DEFAULT_SUBSCRIPTION, defaultOwner(), 500,
        Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofSeconds(10), Duration.ofSeconds(3),
        Duration.ofSeconds(1), 200, Map.of());
  }

  /** The defaults, each overridden by its {@code SONGMAP_RELAY_*} variable where set. */
  public static RelayConfig fromEnv(EnvValues env) {
    RelayConfig d = defaults(env.string("SONGMAP_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    return new RelayConfig(d.bootstrapServers(),
        new KafkaTopics(env.string("SONGMAP_KAFKA_TOPIC_PREFIX", "")),
        env.string("SONGMAP_RELAY_SUBSCRIPTION", d.subscriptionName()),
        env.string("SONGMAP_RELAY_OWNER", d.owner()),
        env.integer("SONGMAP_RELAY_PAGE_SIZE", d.pageSize()),
        env.duration("SONGMAP_RELAY_MIN_POLL", d.minPoll()),
        env.duration("SONGMAP_RELAY_MAX_POLL", d.maxPoll()),
        env.duration("SONGMAP_RELAY_LEASE_TTL", d.leaseTtl()),
        env.duration("SONGMAP_RELAY_HEARTBEAT", d.heartbeat()),
        env.duration("SONGMAP_RELAY_DELAYED_SCAN", d.delayedScan()),
        env.integer("SONGMAP_RELAY_DELAYED_BATCH", d.delayedBatch()),
        Map.of());
  }

  public RelayConfig withTopics(KafkaTopics topics) {
    return new RelayConfig(bootstrapServers, topics, subscriptionName, owner, pageSize, minPoll, maxPoll, leaseTtl,
        heartbeat, delayedScan, delayedBatch, producerOverrides);
  }

  public RelayConfig withOwner(String owner) {
    return new RelayConfig(bootstrapServers, topics, subscriptionName, owner, pageSize, minPoll, maxPoll, leaseTtl,
        heartbeat, delayedScan, delayedBatch, producerOverrides);
  }

  public RelayConfig withLease(Duration leaseTtl, Duration heartbeat) {
    return new RelayConfig(bootstrapServers, topics, subscriptionName, owner, pageSize, minPoll, maxPoll, leaseTtl,
        heartbeat, delayedScan, delayedBatch, producerOverrides);
  }

  public RelayConfig withPageSize(int pageSize) {
    return new RelayConfig(bootstrapServers, topics, subscriptionName, owner, pageSize, minPoll, maxPoll, leaseTtl,
        heartbeat, delayedScan, delayedBatch, producerOverrides);
  }

  public RelayConfig withProducerOverrides(Map<String, Object> producerOverrides) {
    return new RelayConfig(bootstrapServers, topics, subscriptionName, owner, pageSize, minPoll, maxPoll, leaseTtl,
        heartbeat, delayedScan, delayedBatch, producerOverrides);
  }

  private static String defaultOwner() {
    return "relay-" + ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }
}
