package io.songmap.eventstore.projection;

import io.vertx.sqlclient.SqlConnection;

/**
 * What a projection sees while applying a page: the transaction's connection, the table to write, and whether it
 * is a rebuild (replaying history), during which side effects (messages, e-mails, calls out) must stay off.
 */
public record ProjectionContext(SqlConnection connection, String table, boolean rebuilding) {

  public boolean sideEffects() {
    return !rebuilding;
  }
}
