package io.songmap.eventstore.projection;

import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * A read model kept in one table, built from the global log. Its rows are written in the transaction that also
 * moves its checkpoint. The table name is handed in, so that a rebuild can fill a fresh table.
 */
public interface Projection {

  /** The subscription name (checkpoint and lease). */
  String name();

  /** The live table's name. */
  String table();

  default EventFilter filter() {
    return EventFilter.ALL;
  }

  /** Creates {@code table} with its indexes if it does not exist. */
  Future<Void> createTable(SqlConnection connection, String table);

  /** Applies a page of events to {@code context.table()} through {@code context.connection()}. */
  Future<Void> apply(ProjectionContext context, List<RecordedEvent> events);
}
