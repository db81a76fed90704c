package io.songmap.eventstore.postgres;

import io.songmap.eventstore.upcast.Upcasters;
import java.util.Objects;

/**
 * Settings of the PostgreSQL event store.
 *
 * @param notifyChannel the LISTEN/NOTIFY channel notified when appends commit (from the append statement itself, see
 *     {@link AppendNotifier}); {@code null} turns notifications off, leaving subscribers to polling
 * @param upcasters applied to every event read
 * @param appendConcurrency how many append statements run at once; appends that arrive while that many are
 *     running wait and then go together, in one statement and one transaction (group commit). 0: no limit, every
 *     append is a statement of its own
 * @param maxAppendsPerBatch the most appends sent together
 */
public record PgEventStoreOptions(String notifyChannel, Upcasters upcasters, int appendConcurrency,
    int maxAppendsPerBatch) {
  public static final String DEFAULT_CHANNEL = "es_events";
  public static final PgEventStoreOptions DEFAULT = new PgEventStoreOptions(DEFAULT_CHANNEL, Upcasters.NONE, 1, 64);

  public PgEventStoreOptions {
    Objects.requireNonNull(upcasters, "upcasters");
    if (notifyChannel != null && !notifyChannel.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("notifyChannel must be a plain lower-case identifier: " + notifyChannel);
    }
    if (appendConcurrency < 0 || maxAppendsPerBatch < 1) {
      throw new IllegalArgumentException("appendConcurrency >= 0 and maxAppendsPerBatch >= 1 needed");
    }
  }

  public PgEventStoreOptions withUpcasters(Upcasters upcasters) {
    return new PgEventStoreOptions(notifyChannel, upcasters, appendConcurrency, maxAppendsPerBatch);
  }

  public PgEventStoreOptions withNotifyChannel(String notifyChannel) {
    return new PgEventStoreOptions(notifyChannel, upcasters, appendConcurrency, maxAppendsPerBatch);
  }

  public PgEventStoreOptions withAppendBatching(int appendConcurrency, int maxAppendsPerBatch) {
    return new PgEventStoreOptions(notifyChannel, upcasters, appendConcurrency, maxAppendsPerBatch);
  }
}
