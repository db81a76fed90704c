package io.songmap.gateway.status;

import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.projection.Projection;
import io.songmap.eventstore.projection.ProjectionContext;
import io.songmap.job.Job;
import io.songmap.job.JobEventType;
import io.songmap.job.JobState;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobEventJson;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code job_status} read model: one row per job with its state, per-stage states, progress, error and
 * outputs, always the aggregate's own state ({@code Job.evolve}) at the row's version. A page's events evolve the
 * job's state kept from the previous page; a job not kept (first seen, evicted, after a restart) has its stream
 * replayed up to the page's newest version. Rows only move forward in version, so applying a page twice changes
 * nothing.
 */
public final class JobStatusProjection implements Projection {
  public static final String NAME = "job_status";
  public static final String TABLE = "job_status";

  private static final EventFilter JOB_EVENTS = new EventFilter(null,
      Arrays.stream(JobEventType.values()).map(JobEventType::typeName).collect(Collectors.toSet()), true);

  private static final int CACHED_JOBS = 10_000;

  private final EventStore store;
  // States by version are facts, so a state cached by a page whose transaction rolled back is still right.
  private final Map<String, Cached> cache = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
      return size() > CACHED_JOBS;
    }
  };

  public JobStatusProjection(EventStore store) {
    this.store = store;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String table() {
    return TABLE;
  }

  @Override
  public EventFilter filter() {
    return JOB_EVENTS;
  }

  @Override
  public Future<Void> createTable(SqlConnection connection, String table) {
    requireIdentifier(table);
    // Index names follow the table's name at creation; a swapped-in table keeps its own, so look before creating.
    return connection.preparedQuery("SELECT to_regclass($1) IS NOT NULL").execute(Tuple.of(table))
        .compose(rows -> rows.iterator().next().getBoolean(0) ? Future.succeededFuture() : connection.query(
            "CREATE TABLE " + table + " ("
                + " tenant text NOT NULL,"
                + " job_id text NOT NULL,"
                + " state text NOT NULL,"
                + " run integer NOT NULL,"
                + " stages jsonb NOT NULL,"
                + " progress double precision NOT NULL,"
                + " error_code text,"
                + " error_message text,"
                + " error_stage text,"
                + " outputs jsonb NOT NULL,"
                + " created_at timestamptz NOT NULL,"
                + " updated_at timestamptz NOT NULL,"
                + " finished_at timestamptz,"
                + " version bigint NOT NULL,"
                + " seq bigint NOT NULL,"
                + " PRIMARY KEY (tenant, job_id));"
                + " CREATE INDEX " + table + "_by_seq ON " + table + " (tenant, seq DESC);"
                + " CREATE INDEX " + table + "_by_state ON " + table + " (tenant, state, seq DESC)")
            .execute().mapEmpty());
  }

  @Override
  public Future<Void> apply(ProjectionContext context, List<RecordedEvent> events) {
    requireIdentifier(context.table());
    Map<String, List<RecordedEvent>> byJob = new LinkedHashMap<>();
    for (RecordedEvent e : events) {
      byJob.computeIfAbsent(key(e.tenant(), e.streamId()), k -> new ArrayList<>()).add(e);
    }
    List<Future<Row>> rows = new ArrayList<>();
    for (List<RecordedEvent> jobEvents : byJob.values()) {
      jobEvents.sort(Comparator.comparingLong(RecordedEvent::version));
      rows.add(row(jobEvents));
    }
    return Future.all(rows).compose(all -> {
      Future<Void> chain = Future.succeededFuture();
      for (Future<Row> row : rows) {
        chain = chain.compose(v -> upsert(context.connection(), context.table(), row.result()));
      }
      return chain;
    });
  }

  /**
   * The job's row after the newest of {@code jobEvents}: its cached state evolved by the page's events when they
   * follow on from it, otherwise its stream replayed up to that version.
   */
  private Future<Row> row(List<RecordedEvent> jobEvents) {
    RecordedEvent newest = jobEvents.get(jobEvents.size() - 1);
    String key = key(newest.tenant(), newest.streamId());
    Cached cached;
    synchronized (cache) {
      cached = cache.get(key);
    }
    if (cached != null && cached.state().version() >= jobEvents.get(0).version() - 1
        && cached.state().version() <= newest.version()) {
      JobState state = cached.state();
      for (RecordedEvent e : jobEvents) {
        if (e.version() == state.version() + 1) {
          state = Job.evolve(state, JobEventJson.fromJson(e.type(), e.dataJson()));
        }
      }
      if (state.version() == newest.version()) {
        return Future.succeededFuture(remember(key, state, cached.seq(), newest));
      }
    }
    return store.readStream(newest.tenant(), newest.streamId(), 1, (int) newest.version(), ReadOptions.INCLUDE_ARCHIVED)
        .map(slice -> {
          if (slice.events().isEmpty()) {
            return null;
          }
          JobState state = JobCommands.replay(slice.events());
          return state.exists()
              ? remember(key, state, slice.events().get(0).position().globalPosition(), newest) : null;
        });
  }

  private Row remember(String key, JobState state, long seq, RecordedEvent newest) {
    synchronized (cache) {
      cache.put(key, new Cached(state, seq));
    }
    return new Row(JobStatusView.fromState(state, newest.recordedAt(), seq));
  }

  private static String key(String tenant, String jobId) {
    return tenant + "\u0000" + jobId;
  }

  /** A job's state at its version, and the global position of its first event. */
  private record Cached(JobState state, long seq) {}

  private static Future<Void> upsert(SqlConnection tx, String table, Row row) {
    if (row == null) {
      return Future.succeededFuture();
    }
    String sql = "INSERT INTO " + table + " AS t (tenant, job_id, state, run, stages, progress, error_code,"
        + " error_message, error_stage, outputs, created_at, updated_at, finished_at, version, seq)"
        + " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15)"
        + " ON CONFLICT (tenant, job_id) DO UPDATE SET state = excluded.state, run = excluded.run,"
        + " stages = excluded.stages, progress = excluded.progress, error_code = excluded.error_code,"
        + " error_message = excluded.error_message, error_stage = excluded.error_stage, outputs = excluded.outputs,"
        + " updated_at = excluded.updated_at, finished_at = excluded.finished_at, version = excluded.version"
        + " WHERE t.version < excluded.version";
    return tx.preparedQuery(sql).execute(row.tuple()).mapEmpty();
  }

  private static void requireIdentifier(String table) {
    if (!table.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain table name: " + table);
    }
  }

  /** One job's row. */
  record Row(JobStatusView view) {

    Tuple tuple() {
      JobStatusView v = view;
      return Tuple.tuple().addString(v.tenant()).addString(v.jobId()).addString(v.state())
          .addInteger(v.run()).addString(v.stages().encode()).addDouble(v.progress())
          .addString(v.errorCode()).addString(v.errorMessage()).addString(v.errorStage())
          .addString(v.outputs().encode()).addOffsetDateTime(utc(v.createdAt())).addOffsetDateTime(utc(v.updatedAt()))
          .addOffsetDateTime(utc(v.finishedAt())).addLong(v.version()).addLong(v.seq());
    }

    private static OffsetDateTime utc(Instant t) {
      return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
  }
}
