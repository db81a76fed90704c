package io.songmap.eventstore.postgres;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.AppendResult;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.StreamSlice;
import io.songmap.eventstore.upcast.Upcasters;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The event store on PostgreSQL through the Vert.x reactive client. An append is one prepared statement, one
 * round trip and one transaction: the {@code es_append} function checks and bumps the stream's version, inserts
 * the events from arrays and notifies subscribers. Under load, appends that wait for a free statement slot are
 * sent together in one transaction ({@link AppendBatcher}).
 */
public final class PgEventStore implements EventStore {
  // recorded_at comes as epoch seconds in a double, exact to the microsecond (see instant()): the client's decoding
  // of a timestamptz into an OffsetDateTime showed up as the dearest column of a read event.
  static final String EVENT_COLUMNS = "e.global_pos, e.tx::text::bigint, e.tenant, e.stream_id, e.version, "
      + "e.event_id, e.type, e.schema_ver, e.data::text, e.meta::text, date_part('epoch', e.recorded_at)";

  private static final String READ_STREAM = "SELECT s.version, s.archived, " + EVENT_COLUMNS
      + " FROM es_stream s LEFT JOIN LATERAL (SELECT * FROM es_event e0"
      + "   WHERE e0.tenant = s.tenant AND e0.stream_id = s.stream_id AND e0.version >= $3"
      + "   ORDER BY e0.version LIMIT $4) e ON (NOT s.archived OR $5)"
      + " WHERE s.tenant = $1 AND s.stream_id = $2 ORDER BY e.version";

  private final Pool pool;
  private final PgEventStoreOptions options;
  private final Upcasters upcasters;
  private final ConcurrentHashMap<String, String> readAllSql = new ConcurrentHashMap<>();
  private final AppendBatcher appends;

  public PgEventStore(Pool pool, PgEventStoreOptions options) {
    this.pool = pool;
    this.options = options;
    this.upcasters = options.upcasters();
    this.appends = new AppendBatcher(pool, options);
  }

  /** Applies the schema migrations, then returns a store on {@code pool}. */
  public static Future<PgEventStore> start(Pool pool, PgEventStoreOptions options) {
    return Migrations.apply(pool).map(v -> new PgEventStore(pool, options));
  }

  public Pool pool() {
    return pool;
  }

  public PgEventStoreOptions options() {
    return options;
  }

  /**
   * Runs {@code listener} (on whichever thread completed the append; keep it short) after every append of this
   * store that wrote events, once it has committed. Subscriptions in this process use it to wake at once; those in
   * other processes are woken by the LISTEN/NOTIFY channel. Returns the action that removes the listener.
   */
  public Runnable onAppended(Runnable listener) {
    return appends.onAppended(listener);
  }

  /**
   * The payload of the notifications this store sends after its appends; a subscriber listening on the channel in
   * the same process as this store skips them, having been told by {@link #onAppended} already.
   */
  public String notificationOrigin() {
    return appends.origin();
  }

  /** Appends per statement so far: {@code [statements, appends]}, to see how much group commit happened. */
  public long[] appendStatistics() {
    AppendBatcher.Stats s = appends.stats();
    return new long[] {s.statements(), s.appends()};
  }

  @Override
  public Future<AppendResult> append(String tenant, String streamId, ExpectedVersion expected,
      List<NewEvent> events) {
    if (events.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("nothing to append"));
    }
    return appends.append(tenant, streamId, expected, events);
  }

  @Override
  public Future<StreamSlice> readStream(String tenant, String streamId, long fromVersion, int maxCount,
      ReadOptions readOptions) {
    Tuple args = Tuple.of(tenant, streamId, Math.max(1, fromVersion), (long) maxCount,
        readOptions.includeArchived());
    return pool.preparedQuery(READ_STREAM).execute(args).map(rows -> {
      if (rows.size() == 0) {
        return new StreamSlice(tenant, streamId, 0, false, List.of());
      }
      List<RecordedEvent> events = new ArrayList<>(rows.size());
      long version = 0;
      boolean archived = false;
      for (Row row : rows) {
        version = row.getLong(0);
        archived = row.getBoolean(1);
        if (row.getValue(2) != null) {
          events.add(upcasters.apply(event(row, 2)));
        }
      }
      return new StreamSlice(tenant, streamId, version, archived, Collections.unmodifiableList(events));
    });
  }

  @Override
  public Future<AllEventsPage> readAll(Position after, EventFilter filter, int maxCount) {
    return readAll(pool, after, filter, maxCount);
  }

  /** {@link #readAll(Position, EventFilter, int)} on a given client, e.g. the connection of a transaction. */
  public Future<AllEventsPage> readAll(SqlClient client, Position after, EventFilter filter, int maxCount) {
    if (maxCount < 1) {
      throw new IllegalArgumentException("maxCount must be positive");
    }
    return client.preparedQuery(readAllSql(filter, Shape.OPEN)).execute(readArgs(after, maxCount, filter))
        .map(rows -> page(rows, after));
  }

  /**
   * {@link #readAll(Position, EventFilter, int)} for a reader that follows the log: the page also says whether
   * events committed above its fence exist ({@link AllEventsPage#heldBack()}), so that the reader polls again soon
   * only when something is waiting for an older transaction to end, and otherwise waits for the next notification.
   * The extra look is one step of a backward scan of the {@code (tx, global_pos)} index, in the same statement.
   */
  public Future<AllEventsPage> readAllFollowing(Position after, EventFilter filter, int maxCount) {
    if (maxCount < 1) {
      throw new IllegalArgumentException("maxCount must be positive");
    }
    return pool.preparedQuery(readAllSql(filter, Shape.FOLLOW)).execute(readArgs(after, maxCount, filter))
        .map(rows -> page(rows, after, 1, rows.iterator().next().getBoolean(0)));
  }

  /**
   * Reads ahead with up to {@link ReadAhead#WINDOW} page queries at once on connections of the pool, so that
   * PostgreSQL backends produce the next pages while the handler and the decoding of the current one keep this
   * process busy (see {@link ReadAhead}). Each page is still read below the fence of its own query, as
   * {@link #readAll(Position, EventFilter, int)} does, and pages reach the handler one at a time, in order.
   */
  @Override
  public Future<Position> forEachPage(Position after, EventFilter filter, int pageSize,
      Function<List<RecordedEvent>, Future<Void>> pageHandler) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive");
    }
    return ReadAhead.run(new ReadAhead.Reads() {
      @Override
      public Future<AllEventsPage> open(Position from, int limit) {
        return readAll(from, filter, limit);
      }

      @Override
      public Future<AllEventsPage> closed(Position from, Position upTo) {
        Tuple args = readArgs(from, Long.MAX_VALUE, filter).addString(Long.toUnsignedString(upTo.tx()))
            .addLong(upTo.globalPosition());
        return pool.preparedQuery(readAllSql(filter, Shape.CLOSED)).execute(args)
            .map(rows -> new AllEventsPage(page(rows, from).events(), upTo));
      }

      @Override
      public Future<List<Position>> boundaries(Position from, int size, int count) {
        Tuple args = readArgs(from, (long) size * count, filter).addLong((long) size);
        return pool.preparedQuery(readAllSql(filter, Shape.BOUNDARIES)).execute(args).map(rows -> {
          List<Position> found = new ArrayList<>(rows.size());
          for (Row row : rows) {
            found.add(new Position(row.getLong(0), row.getLong(1)));
          }
          return found;
        });
      }
    }, after, pageSize, pageHandler);
  }

  private AllEventsPage page(RowSet<Row> rows, Position after) {
    return page(rows, after, 0, true);
  }

  /** The events of {@code rows} whose columns start at {@code first}; a row whose event columns are null has none. */
  private AllEventsPage page(RowSet<Row> rows, Position after, int first, boolean heldBack) {
    List<RecordedEvent> events = new ArrayList<>(rows.size());
    for (Row row : rows) {
      if (row.getValue(first) != null) {
        events.add(upcasters.apply(event(row, first)));
      }
    }
    Position last = events.isEmpty() ? after : events.get(events.size() - 1).position();
    return new AllEventsPage(Collections.unmodifiableList(events), last, heldBack);
  }

  private static Tuple readArgs(Position after, long limit, EventFilter filter) {
    Tuple args = Tuple.tuple().addString(Long.toUnsignedString(after.tx())).addLong(after.globalPosition())
        .addLong(limit);
    if (filter.tenant() != null) {
      args.addString(filter.tenant());
    }
    if (!filter.types().isEmpty()) {
      args.addArrayOfString(filter.types().toArray(String[]::new));
    }
    return args;
  }

  /**
   * The global read queries: a page after a position, the same with whether anything waits above the fence, a page
   * up to a known end, and the ends of pages ahead.
   */
  private enum Shape { OPEN, FOLLOW, CLOSED, BOUNDARIES }

  private String readAllSql(EventFilter filter, Shape shape) {
    String key = (filter.tenant() != null ? "t" : "-") + (filter.types().isEmpty() ? "-" : "y")
        + (filter.includeArchived() ? "a" : "-") + shape.ordinal();
    return readAllSql.computeIfAbsent(key, s -> {
      StringBuilder where = new StringBuilder(" FROM es_event e")
          .append(" WHERE (e.tx, e.global_pos) > ($1::text::xid8, $2)")
          // The fence: below the oldest transaction still running nothing can commit any more.
          .append(" AND e.tx < pg_snapshot_xmin(pg_current_snapshot())");
      int param = 4;
      if (filter.tenant() != null) {
        where.append(" AND e.tenant = $").append(param++);
      }
      if (!filter.types().isEmpty()) {
        where.append(" AND e.type = ANY($").append(param++).append("::text[])");
      }
      if (!filter.includeArchived()) {
        where.append(" AND (e.tenant, e.stream_id) NOT IN (SELECT s.tenant, s.stream_id FROM es_stream s"
            + " WHERE s.archived)");
      }
      return switch (shape) {
        case OPEN -> "SELECT " + EVENT_COLUMNS + where + " ORDER BY e.tx, e.global_pos LIMIT $3";
        // One row even when the page is empty. The newest visible event at or above the fence means that something
        // committed after a transaction that is still running; ORDER BY ... DESC LIMIT 1 keeps the look to the end
        // of the index (an EXISTS with the fence as a range could be planned as a sequential scan).
        case FOLLOW -> "SELECT coalesce((SELECT h.tx FROM es_event h ORDER BY h.tx DESC LIMIT 1)"
            + " >= pg_snapshot_xmin(pg_current_snapshot()), false), p.* FROM (SELECT 1) one"
            + " LEFT JOIN LATERAL (SELECT " + EVENT_COLUMNS + where + " ORDER BY e.tx, e.global_pos LIMIT $3) p ON true"
            + " ORDER BY p.tx, p.global_pos";
        case CLOSED -> "SELECT " + EVENT_COLUMNS + where + " AND (e.tx, e.global_pos) <= ($" + param
            + "::text::xid8, $" + (param + 1) + ") ORDER BY e.tx, e.global_pos LIMIT $3";
        // Only positions, from the index: a small fraction of the cost of reading the events themselves.
        case BOUNDARIES -> "SELECT b.tx::text::bigint, b.global_pos FROM (SELECT e.tx, e.global_pos,"
            + " row_number() OVER (ORDER BY e.tx, e.global_pos) AS n" + where
            + " ORDER BY e.tx, e.global_pos LIMIT $3) b WHERE b.n % $" + param + " = 0 ORDER BY b.n";
      };
    });
  }

  @Override
  public Future<Void> archive(String tenant, String streamId) {
    return pool.preparedQuery("INSERT INTO es_stream (tenant, stream_id, version, archived) VALUES ($1, $2, 0, true)"
            + " ON CONFLICT (tenant, stream_id) DO UPDATE SET archived = true")
        .execute(Tuple.of(tenant, streamId)).mapEmpty();
  }

  static RecordedEvent event(Row row, int i) {
    return new RecordedEvent(new Position(row.getLong(i + 1), row.getLong(i)), row.getString(i + 2),
        row.getString(i + 3), row.getLong(i + 4), row.getUUID(i + 5), row.getString(i + 6), row.getInteger(i + 7),
        row.getString(i + 8), row.getString(i + 9), instant(row.getDouble(i + 10)));
  }

  /**
   * PostgreSQL stores microseconds and divides them by 10^6 with correct rounding; for any time before the year
   * 2100 the double keeps enough bits that rounding back to whole microseconds restores the stored value.
   */
  static Instant instant(double epochSeconds) {
    long micros = Math.round(epochSeconds * 1e6);
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
