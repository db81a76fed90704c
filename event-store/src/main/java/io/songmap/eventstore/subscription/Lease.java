package io.songmap.eventstore.subscription;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * The row in {@code es_lease} that makes one process the owner of a named subscription. Taking it over needs the
 * previous owner's lease to have expired; every new owner gets a larger fence.
 */
final class Lease {
  private static final String ACQUIRE = "INSERT INTO es_lease AS l (name, owner, fence, expires_at)"
      + " VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')"
      + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, fence = l.fence + 1, expires_at = excluded.expires_at"
      + " WHERE l.expires_at < clock_timestamp() OR l.owner = excluded.owner"
      + " RETURNING l.fence";
  private static final String RENEW = "UPDATE es_lease SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'"
      + " WHERE name = $1 AND owner = $2 AND fence = $3";
  private static final String RELEASE = "UPDATE es_lease SET expires_at = '-infinity'"
      + " WHERE name = $1 AND owner = $2 AND fence = $3";
  /** A condition on a statement that must only take effect while the lease is held ($1 name, $2 owner, $3 fence). */
  static final String HELD = "EXISTS (SELECT 1 FROM es_lease l WHERE l.name = $1 AND l.owner = $2 AND l.fence = $3"
      + " AND l.expires_at > clock_timestamp())";

  private Lease() {
  }

  /** The new fence when this owner got the lease, {@code null} when another owner holds it. */
  static Future<Long> tryAcquire(Pool pool, String name, String owner, Duration ttl) {
    return pool.preparedQuery(ACQUIRE).execute(Tuple.of(name, owner, ttl.toMillis()))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  /** Whether the lease was still this owner's and is now extended. */
  static Future<Boolean> renew(SqlClient client, String name, String owner, long fence, Duration ttl) {
    return client.preparedQuery(RENEW).execute(Tuple.of(name, owner, fence, ttl.toMillis()))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Void> release(SqlClient client, String name, String owner, long fence) {
    return client.preparedQuery(RELEASE).execute(Tuple.of(name, owner, fence)).mapEmpty();
  }
}
