package io.songmap.eventstore.subscription;

import io.songmap.eventstore.Position;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Subscription checkpoints in {@code es_checkpoint}. A checkpoint moves only by compare-and-set and only while the
 * writer holds the subscription's lease, so a page is never committed twice, even by a process that lost its
 * lease without noticing.
 */
public final class Checkpoints {
  private static final String LOAD = "INSERT INTO es_checkpoint (name, tx, global_pos) VALUES ($1, '0', 0)"
      + " ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING tx::text::bigint, global_pos";
  private static final String READ = "SELECT tx::text::bigint, global_pos FROM es_checkpoint WHERE name = $1";
  private static final String MOVE = "UPDATE es_checkpoint c SET tx = $6::text::xid8, global_pos = $7, updated_at = now()"
      + " WHERE c.name = $1 AND c.tx = $4::text::xid8 AND c.global_pos = $5 AND " + Lease.HELD;

  // set_config(..., true) lasts until the end of the statement's own transaction, so its commit does not wait for
  // the WAL flush; the session's setting is untouched afterwards.
  static final String MOVE_RELAXED = "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v)"
      + " UPDATE es_checkpoint c SET tx = $6::text::xid8, global_pos = $7, updated_at = now()"
      + " WHERE c.name = $1 AND c.tx = $4::text::xid8 AND c.global_pos = $5 AND " + Lease.HELD
      + " AND (SELECT v FROM relaxed) = 'off'";

  private static final String SET = "UPDATE es_checkpoint c SET tx = $4::text::xid8, global_pos = $5, updated_at = now()"
      + " WHERE c.name = $1 AND " + Lease.HELD;

  private Checkpoints() {
  }

  /** The stored position of a subscription, {@link Position#START} (and stored as such) when it has none. */
  public static Future<Position> load(SqlClient client, String name) {
    return client.preparedQuery(LOAD).execute(Tuple.of(name))
        .map(rows -> {
          var row = rows.iterator().next();
          return new Position(row.getLong(0), row.getLong(1));
        });
  }

  /** The stored position of a subscription, {@link Position#START} when it has none; writes nothing. */
  public static Future<Position> read(SqlClient client, String name) {
    return client.preparedQuery(READ).execute(Tuple.of(name))
        .map(rows -> {
          if (rows.size() == 0) {
            return Position.START;
          }
          var row = rows.iterator().next();
          return new Position(row.getLong(0), row.getLong(1));
        });
  }

  /**
   * Moves the checkpoint from {@code from} to {@code to}; fails with {@link CheckpointMoved} when it is not at
   * {@code from} any more or the lease is not held, so that the caller's transaction rolls back.
   */
  static Future<Void> move(SqlClient tx, String name, String owner, long fence, Position from, Position to) {
    return move(tx, MOVE, name, owner, fence, from, to);
  }

  /**
   * {@link #move} as one statement in a transaction of its own, whose commit does not wait for the WAL flush (see
   * {@link PageHandler#NOTHING_RELAXED}).
   */
  static Future<Void> moveRelaxed(SqlClient client, String name, String owner, long fence, Position from,
      Position to) {
    return move(client, MOVE_RELAXED, name, owner, fence, from, to);
  }

  private static Future<Void> move(SqlClient client, String sql, String name, String owner, long fence,
      Position from, Position to) {
    Tuple args = Tuple.tuple().addString(name).addString(owner).addLong(fence)
        .addString(Long.toUnsignedString(from.tx())).addLong(from.globalPosition())
        .addString(Long.toUnsignedString(to.tx())).addLong(to.globalPosition());
    return client.preparedQuery(sql).execute(args).compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture()
        : Future.failedFuture(new CheckpointMoved(name)));
  }

  /** Sets the checkpoint to {@code to} whatever it was, while the lease (name, owner, fence) is held. */
  public static Future<Void> set(SqlClient tx, String name, String owner, long fence, Position to) {
    Tuple args = Tuple.tuple().addString(name).addString(owner).addLong(fence)
        .addString(Long.toUnsignedString(to.tx())).addLong(to.globalPosition());
    return tx.preparedQuery(SET).execute(args).compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture()
        : Future.failedFuture(new CheckpointMoved(name)));
  }

  /** The checkpoint was moved by someone else, or the lease was lost: the page must not be committed. */
  public static final class CheckpointMoved extends RuntimeException {
    public CheckpointMoved(String name) {
      super("checkpoint of " + name + " moved elsewhere or lease lost", null, false, false);
    }
  }
}
