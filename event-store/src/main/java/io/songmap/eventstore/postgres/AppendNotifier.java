package io.songmap.eventstore.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wakes subscribers after appends commit. Subscribers in this process on the same store are told at once, without
 * the round trip through PostgreSQL; those of other processes by LISTEN/NOTIFY, whose payload names the store it
 * comes from, so that the store's own subscribers skip it. A notification lost in a crash only delays subscribers
 * until their next poll.
 *
 * <p>With one append statement at a time (the default), the NOTIFY goes out inside the append's own transaction,
 * once per statement ({@link #channelInTransaction()}): no transaction, round trip or wake-up of its own. PostgreSQL
 * serializes the commits of notifying transactions (a global lock from the NOTIFY's queueing through the commit's
 * WAL flush), which costs nothing among one store's appends, as they already go one statement at a time.
 *
 * <p>With several append statements at once, that lock would serialize them again, so the notification goes out
 * afterwards, in a transaction of its own that writes nothing, and notifications coalesce: at most one is in
 * flight, and any number of appends finishing meanwhile share the next one.
 */
final class AppendNotifier {
  // A NOTIFY gives its transaction an xid, so its commit would wait for a WAL flush of its own: one more flush per
  // append statement. Nothing else is written here, and a notification lost in a crash is harmless (above), so
  // this one transaction commits without waiting for the flush.
  private static final String NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

  private final Pool pool;
  private final String channel;
  private final boolean inTransaction;
  private final List<Runnable> local = new CopyOnWriteArrayList<>();
  private final String origin = java.util.UUID.randomUUID().toString();
  private boolean inFlight;
  private boolean pending;

  /**
   * @param channel the LISTEN/NOTIFY channel, {@code null} for none
   * @param inTransaction whether the append statements notify themselves (see above)
   */
  AppendNotifier(Pool pool, String channel, boolean inTransaction) {
    this.pool = pool;
    this.channel = channel;
    this.inTransaction = inTransaction && channel != null;
  }

  /** The channel an append statement notifies itself, or {@code null} when this notifier sends NOTIFY itself. */
  String channelInTransaction() {
    return inTransaction ? channel : null;
  }

  /** The payload of this store's notifications. */
  String origin() {
    return origin;
  }

  /** Runs {@code listener} after every append that wrote events; the returned action removes it. */
  Runnable onAppended(Runnable listener) {
    local.add(listener);
    return () -> local.remove(listener);
  }

  /** After an append statement that wrote events committed. */
  void appended() {
    for (Runnable listener : local) {
      listener.run();
    }
    if (channel == null || inTransaction) {
      return;
    }
    synchronized (this) {
      if (inFlight) {
        pending = true;
        return;
      }
      inFlight = true;
    }
    send();
  }

  private void send() {
    Future<?> sent = pool.preparedQuery(NOTIFY).execute(Tuple.of(channel, origin));
    sent.onComplete(ar -> {
      boolean again;
      synchronized (this) {
        again = pending;
        pending = false;
        inFlight = again;
      }
      if (again) {
        send();
      }
    });
  }
}
