package io.songmap.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads of the {@code job_status} table, always within one tenant. */
public final class JobStatusQueries {
  private static final String COLUMNS = "tenant, job_id, state, run, stages, progress, error_code, error_message,"
      + " error_stage, outputs, created_at, updated_at, finished_at, version, seq";

  private static final Duration POLL = Duration.ofMillis(10);

  private final Pool pool;

  public JobStatusQueries(Pool pool) {
    this.pool = pool;
  }

  /** A page of jobs, newest first, and the cursor of the next page ({@code null} on the last). */
  public record Page(List<JobStatusView> jobs, Long nextCursor) {}

  public Future<Optional<JobStatusView>> get(String tenant, String jobId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM " + JobStatusProjection.TABLE
            + " WHERE tenant = $1 AND job_id = $2")
        .execute(Tuple.of(tenant, jobId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(JobStatusView.fromRow(rows.iterator().next())));
  }

  /**
   * Jobs of {@code tenant}, newest first, optionally in one state; {@code cursor} is a previous page's
   * {@link Page#nextCursor()}.
   */
  public Future<Page> list(String tenant, String state, Long cursor, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + JobStatusProjection.TABLE
        + " WHERE tenant = $1");
    Tuple args = Tuple.of(tenant);
    if (state != null) {
      args.addString(state);
      sql.append(" AND state = $").append(args.size());
    }
    if (cursor != null) {
      args.addLong(cursor);
      sql.append(" AND seq < $").append(args.size());
    }
    args.addInteger(limit + 1);
    sql.append(" ORDER BY seq DESC LIMIT $").append(args.size());
    return pool.preparedQuery(sql.toString()).execute(args).map(rows -> {
      List<JobStatusView> jobs = new ArrayList<>();
      for (Row r : rows) {
        jobs.add(JobStatusView.fromRow(r));
      }
      Long next = null;
      if (jobs.size() > limit) {
        jobs = jobs.subList(0, limit);
        next = jobs.get(limit - 1).seq();
      }
      return new Page(List.copyOf(jobs), next);
    });
  }

  /**
   * Completes once the job's row is at {@code version} or later, or after {@code timeout} either way: lets a
   * caller that just changed a job answer only when reads (and the per-tenant limit) see the change.
   */
  public Future<Void> awaitVersion(Vertx vertx, String tenant, String jobId, long version, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Promise<Void> done = Promise.promise();
    poll(vertx, tenant, jobId, version, deadline, done);
    return done.future();
  }

  private void poll(Vertx vertx, String tenant, String jobId, long version, long deadline, Promise<Void> done) {
    pool.preparedQuery("SELECT version FROM " + JobStatusProjection.TABLE + " WHERE tenant = $1 AND job_id = $2")
        .execute(Tuple.of(tenant, jobId))
        .onComplete(ar -> {
          boolean there = ar.succeeded() && ar.result().size() > 0
              && ar.result().iterator().next().getLong(0) >= version;
          if (there || ar.failed() || System.nanoTime() > deadline) {
            done.tryComplete();
          } else {
            vertx.setTimer(POLL.toMillis(), id -> poll(vertx, tenant, jobId, version, deadline, done));
          }
        });
  }

  /** How many of the tenant's jobs are submitted or running. */
  public Future<Integer> countActive(String tenant) {
    return pool.preparedQuery("SELECT count(*) FROM " + JobStatusProjection.TABLE
            + " WHERE tenant = $1 AND state IN ('SUBMITTED', 'RUNNING')")
        .execute(Tuple.of(tenant)).map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Failed jobs by the stage they failed at, over all tenants, for the metrics. */
  public Future<java.util.Map<String, Long>> countFailedByStage() {
    return pool.query("SELECT coalesce(error_stage, 'unknown'), count(*) FROM " + JobStatusProjection.TABLE
            + " WHERE state = 'FAILED' GROUP BY 1").execute()
        .map(rows -> {
          java.util.Map<String, Long> out = new java.util.HashMap<>();
          rows.forEach(r -> out.put(r.getString(0), r.getLong(1)));
          return out;
        });
  }

  /**
   * The share of PostgreSQL's NOTIFY queue in use, for the metrics. Appends notify from their own transaction, so a
   * full queue (a listening session stuck in an open transaction) makes them fail.
   */
  public Future<Double> notificationQueueUsage() {
    return pool.query("SELECT pg_notification_queue_usage()").execute()
        .map(rows -> rows.iterator().next().getDouble(0));
  }

  /** Jobs by state over all tenants, for the metrics. */
  public Future<java.util.Map<String, Long>> countByState() {
    return pool.query("SELECT state, count(*) FROM " + JobStatusProjection.TABLE + " GROUP BY state").execute()
        .map(rows -> {
          java.util.Map<String, Long> out = new java.util.HashMap<>();
          rows.forEach(r -> out.put(r.getString(0), r.getLong(1)));
          return out;
        });
  }
}
