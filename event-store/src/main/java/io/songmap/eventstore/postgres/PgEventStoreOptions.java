package io.songmap.eventstore.postgres;

import io.songmap.eventstore.upcast.Upcasters;
import java.util.Objects;

/**
 * Settings of the PostgreSQL event store.
 *
 * @param notifyChannel the LISTEN/NOTIFY channel every append notifies (tenant as payload); {@code null} turns
 *     notifications off, leaving subscribers to polling
 * @param upcasters applied to every event read
 */
public record PgEventStoreOptions(String notifyChannel, Upcasters upcasters) {
  public static final String DEFAULT_CHANNEL = "es_events";
  public static final PgEventStoreOptions DEFAULT = new PgEventStoreOptions(DEFAULT_CHANNEL, Upcasters.NONE);

  public PgEventStoreOptions {
    Objects.requireNonNull(upcasters, "upcasters");
    if (notifyChannel != null && !notifyChannel.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("notifyChannel must be a plain lower-case identifier: " + notifyChannel);
    }
  }

  public PgEventStoreOptions withUpcasters(Upcasters upcasters) {
    return new PgEventStoreOptions(notifyChannel, upcasters);
  }
}
