package io.songmap.eventstore.subscription;

import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * Handles one page of events inside the transaction that then stores the subscription's checkpoint: what the
 * handler writes through {@code tx} commits together with the checkpoint, or not at all.
 */
@FunctionalInterface
public interface PageHandler {
  Future<Void> handle(SqlConnection tx, List<RecordedEvent> events);

  /**
   * Writes nothing, and lets the checkpoint's commit return before the WAL is flushed: for pages whose effect lives
   * outside the database, where a checkpoint lost in a crash only means the page is handled again. A sending
   * subscription recognises it and moves the checkpoint in one statement instead of a transaction of four.
   */
  PageHandler NOTHING_RELAXED = (tx, events) -> tx.query("SET LOCAL synchronous_commit TO OFF").execute().mapEmpty();
}
