package io.songmap.eventstore.subscription;

import io.songmap.eventstore.EventFilter;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of one named subscription.
 *
 * @param name the subscription's name: its checkpoint and its lease
 * @param filter which events it receives
 * @param pageSize events per page, handled in one transaction with the checkpoint
 * @param minPoll the first wait after a read found events held back above its fence, or after any read when it has
 *     no LISTEN connection; doubled up to {@code maxPoll} while nothing new is found, cut short by a notification
 * @param maxPoll the longest wait between two reads when no notification comes, also once the log is drained (see
 *     {@link Subscription})
 * @param leaseTtl how long an owner that stopped renewing keeps the subscription before another process may take
 *     it over
 * @param heartbeat how often the owner renews its lease (well below {@code leaseTtl}); also how often a process
 *     that is not the owner tries to take it over
 * @param owner this process's name in the lease table
 */
public record SubscriptionOptions(String name, EventFilter filter, int pageSize, Duration minPoll, Duration maxPoll,
    Duration leaseTtl, Duration heartbeat, String owner) {

  public SubscriptionOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(owner, "owner");
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive");
    }
    if (minPoll.isNegative() || minPoll.isZero() || maxPoll.compareTo(minPoll) < 0) {
      throw new IllegalArgumentException("need 0 < minPoll <= maxPoll");
    }
    if (heartbeat.isNegative() || heartbeat.isZero() || heartbeat.multipliedBy(2).compareTo(leaseTtl) > 0) {
      throw new IllegalArgumentException("heartbeat must be positive and at most half of leaseTtl");
    }
  }

  public static SubscriptionOptions named(String name) {
    return new SubscriptionOptions(name, EventFilter.ALL, 500, Duration.ofMillis(5), Duration.ofSeconds(1),
        Duration.ofSeconds(10), Duration.ofSeconds(3), "p-" + UUID.randomUUID());
  }

  public SubscriptionOptions withFilter(EventFilter filter) {
    return new SubscriptionOptions(name, filter, pageSize, minPoll, maxPoll, leaseTtl, heartbeat, owner);
  }

  public SubscriptionOptions withPageSize(int pageSize) {
    return new SubscriptionOptions(name, filter, pageSize, minPoll, maxPoll, leaseTtl, heartbeat, owner);
  }

  public SubscriptionOptions withPolling(Duration minPoll, Duration maxPoll) {
    return new SubscriptionOptions(name, filter, pageSize, minPoll, maxPoll, leaseTtl, heartbeat, owner);
  }

  public SubscriptionOptions withLease(Duration leaseTtl, Duration heartbeat) {
    return new SubscriptionOptions(name, filter, pageSize, minPoll, maxPoll, leaseTtl, heartbeat, owner);
  }

  public SubscriptionOptions withOwner(String owner) {
    return new SubscriptionOptions(name, filter, pageSize, minPoll, maxPoll, leaseTtl, heartbeat, owner);
  }
}
