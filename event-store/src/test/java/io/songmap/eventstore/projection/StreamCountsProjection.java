package io.songmap.eventstore.projection;

import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test projection: per stream, how many events were applied and the list of their versions, so that an event
 * applied twice or skipped shows in the row. Counts the side effects it would perform when they are on, and can
 * be told to hang after writing the rows of one event (to kill its process mid-transaction).
 */
final class StreamCountsProjection implements Projection {
  final AtomicInteger sideEffects = new AtomicInteger();
  final String table;
  final String tenant;
  volatile UUID hangAfter;
  final Promise<Void> hanging = Promise.promise();

  StreamCountsProjection(String table, String tenant) {
    this.table = table;
    this.tenant = tenant;
  }

  @Override
  public String name() {
    return table;
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public EventFilter filter() {
    return EventFilter.ALL.forTenant(tenant);
  }

  @Override
  public Future<Void> createTable(SqlConnection connection, String table) {
    return connection.query("CREATE TABLE IF NOT EXISTS " + table + " (stream_id text PRIMARY KEY,"
        + " events integer NOT NULL, versions bigint[] NOT NULL)").execute().mapEmpty();
  }

  @Override
  public Future<Void> apply(ProjectionContext context, List<RecordedEvent> events) {
    List<Tuple> rows = new ArrayList<>();
    for (RecordedEvent e : events) {
      rows.add(Tuple.of(e.streamId(), e.version()));
    }
    Future<Void> written = context.connection().preparedQuery("INSERT INTO " + context.table()
            + " AS p (stream_id, events, versions) VALUES ($1, 1, ARRAY[$2::bigint])"
            + " ON CONFLICT (stream_id) DO UPDATE SET events = p.events + 1, versions = p.versions || $2::bigint")
        .executeBatch(rows).mapEmpty();
    return written.compose(v -> {
      if (context.sideEffects()) {
        sideEffects.addAndGet(events.size());
      }
      UUID trap = hangAfter;
      if (trap != null && events.stream().anyMatch(e -> e.eventId().equals(trap))) {
        hanging.tryComplete();
        return Promise.<Void>promise().future(); // the rows are written, the checkpoint never will be
      }
      return Future.succeededFuture();
    });
  }
}
