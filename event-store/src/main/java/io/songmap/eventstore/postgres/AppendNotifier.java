package io.songmap.eventstore.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wakes subscribers after appends commit. A NOTIFY inside the append's transaction would hold PostgreSQL's global
 * notification lock across that transaction's commit and WAL flush, which serializes every appending transaction
 * of the cluster (measured here: 8 concurrent appenders fell from ~2,000 to ~300 transactions/s). So the
 * notification goes out afterwards, in a transaction of its own that writes nothing, and notifications coalesce:
 * at most one is in flight, and any number of appends finishing meanwhile share the next one. A notification lost
 * in a crash only delays subscribers until their next poll.
 *
 * <p>Subscribers in this process on the same store are told at once, without the round trip through PostgreSQL;
 * the notification's payload names the store it comes from, so that they can skip it.
 */
final class AppendNotifier {
  // A NOTIFY gives its transaction an xid, so its commit would wait for a WAL flush of its own: one more flush per
  // append statement. Nothing else is written here, and a notification lost in a crash is harmless (above), so
  // this one transaction commits without waiting for the flush.
  private static final String NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

  private final Pool pool;
  private final String channel;
  private final List<Runnable> local = new CopyOnWriteArrayList<>();
  private final String origin = java.util.UUID.randomUUID().toString();
  private boolean inFlight;
  private boolean pending;

  AppendNotifier(Pool pool, String channel) {
    this.pool = pool;
    this.channel = channel;
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

  void appended() {
    for (Runnable listener : local) {
      listener.run();
    }
    if (channel == null) {
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
