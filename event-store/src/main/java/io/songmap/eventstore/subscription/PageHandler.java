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
}
