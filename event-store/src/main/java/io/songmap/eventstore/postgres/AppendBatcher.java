package io.songmap.eventstore.postgres;

import io.songmap.eventstore.AppendResult;
import io.songmap.eventstore.DuplicateEvent;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.StreamArchived;
import io.songmap.eventstore.WrongExpectedVersion;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends appends to PostgreSQL: alone while fewer than {@code appendConcurrency} statements run, otherwise queued
 * and sent together in one {@code es_append_many} call when a statement finishes. Under load this shares one round
 * trip and one commit among many appends; when idle an append goes out at once.
 */
final class AppendBatcher {
  private static final String APPEND_ONE =
      "SELECT outcome, stream_version FROM es_append_many(ARRAY[$1], ARRAY[$2], ARRAY[$3::bigint],"
          + " ARRAY[cardinality($4::uuid[])], $4, $5, $6, $7, $8, $9, $10)";
  private static final String APPEND_MANY =
      "SELECT outcome, stream_version FROM es_append_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
  // Batches lock stream rows in (tenant, stream) order, so that two batches never wait for each other in a cycle.
  private static final Comparator<Pending> LOCK_ORDER =
      Comparator.comparing(Pending::tenant).thenComparing(Pending::streamId);

  private final Pool pool;
  private final AppendNotifier notifier;
  private final int concurrency;
  private final int maxBatch;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int running;
  private final LongAdder statements = new LongAdder();
  private final LongAdder appendsSent = new LongAdder();

  /** How many append statements went out, and how many appends they carried. */
  record Stats(long statements, long appends) {
  }

  Stats stats() {
    return new Stats(statements.sum(), appendsSent.sum());
  }

  Runnable onAppended(Runnable listener) {
    return notifier.onAppended(listener);
  }

  String origin() {
    return notifier.origin();
  }

  AppendBatcher(Pool pool, PgEventStoreOptions options) {
    this.pool = pool;
    // One statement at a time: each notifies from its own transaction (see AppendNotifier).
    this.notifier = new AppendNotifier(pool, options.notifyChannel(), options.appendConcurrency() == 1);
    this.concurrency = options.appendConcurrency();
    this.maxBatch = options.maxAppendsPerBatch();
  }

  record Pending(String tenant, String streamId, ExpectedVersion expected, List<NewEvent> events,
      Promise<AppendResult> promise, Context context) {

    void complete(Future<AppendResult> outcome) {
      // The caller's callbacks run on the caller's context, not on the connection's.
      if (context == null || context == Vertx.currentContext()) {
        outcome.onComplete(promise);
      } else {
        outcome.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
      }
    }
  }

  Future<AppendResult> append(String tenant, String streamId, ExpectedVersion expected, List<NewEvent> events) {
    Pending p = new Pending(tenant, streamId, expected, events, Promise.promise(), Vertx.currentContext());
    if (concurrency == 0) {
      sendOne(p).onComplete(ar -> p.complete(ar.succeeded() ? Future.succeededFuture(ar.result())
          : Future.failedFuture(ar.cause())));
      return p.promise().future();
    }
    boolean sendNow;
    synchronized (this) {
      sendNow = running < concurrency;
      if (sendNow) {
        running++;
      } else {
        queue.add(p);
      }
    }
    if (sendNow) {
      send(List.of(p));
    }
    return p.promise().future();
  }

  private void send(List<Pending> batch) {
    Future<Void> done = batch.size() == 1 ? completeOne(batch.get(0)) : sendMany(batch);
    done.onComplete(ar -> {
      // The callers just answered often append again at once. Gathering the queue one event-loop turn later lets
      // those appends join the next statement instead of waiting behind it: with n callers and one statement at a
      // time, batches of about n instead of alternating k and n - k.
      Context context = Vertx.currentContext();
      if (context == null) {
        sendQueued();
      } else {
        context.runOnContext(v -> sendQueued());
      }
    });
  }

  private void sendQueued() {
    List<Pending> next = new ArrayList<>();
    synchronized (this) {
      while (next.size() < maxBatch && !queue.isEmpty()) {
        next.add(queue.poll());
      }
      if (next.isEmpty()) {
        running--;
      }
    }
    if (!next.isEmpty()) {
      send(next);
    }
  }

  private Future<Void> completeOne(Pending p) {
    Future<AppendResult> result = sendOne(p);
    p.complete(result);
    return result.<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<AppendResult> sendOne(Pending p) {
    statements.increment();
    appendsSent.increment();
    int n = p.events().size();
    UUID[] ids = new UUID[n];
    String[] types = new String[n];
    Integer[] schemaVersions = new Integer[n];
    String[] data = new String[n];
    String[] meta = new String[n];
    fill(p.events(), 0, ids, types, schemaVersions, data, meta);
    Tuple args = Tuple.tuple().addString(p.tenant()).addString(p.streamId()).addLong(p.expected().code())
        .addArrayOfUUID(ids).addArrayOfString(types).addArrayOfInteger(schemaVersions)
        .addArrayOfString(data).addArrayOfString(meta);
    notifying(args);
    return pool.preparedQuery(APPEND_ONE).execute(args).transform(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof PgException pg && "23505".equals(pg.getSqlState())) {
          return Future.failedFuture(new DuplicateEvent(p.tenant(), p.streamId(), pg.getConstraint()));
        }
        return Future.failedFuture(ar.cause());
      }
      Row row = ar.result().iterator().next();
      if (row.getShort(0) == 0) {
        notifier.appended();
      }
      return outcome(p, row);
    });
  }

  private Future<Void> sendMany(List<Pending> unordered) {
    List<Pending> batch = new ArrayList<>(unordered);
    batch.sort(LOCK_ORDER); // stable: appends to one stream keep their order
    int appends = batch.size();
    int events = 0;
    for (Pending p : batch) {
      events += p.events().size();
    }
    String[] tenants = new String[appends];
    String[] streams = new String[appends];
    Long[] expected = new Long[appends];
    Integer[] counts = new Integer[appends];
    UUID[] ids = new UUID[events];
    String[] types = new String[events];
    Integer[] schemaVersions = new Integer[events];
    String[] data = new String[events];
    String[] meta = new String[events];
    int at = 0;
    for (int k = 0; k < appends; k++) {
      Pending p = batch.get(k);
      tenants[k] = p.tenant();
      streams[k] = p.streamId();
      expected[k] = p.expected().code();
      counts[k] = p.events().size();
      fill(p.events(), at, ids, types, schemaVersions, data, meta);
      at += p.events().size();
    }
    Tuple args = Tuple.tuple().addArrayOfString(tenants).addArrayOfString(streams).addArrayOfLong(expected)
        .addArrayOfInteger(counts).addArrayOfUUID(ids).addArrayOfString(types).addArrayOfInteger(schemaVersions)
        .addArrayOfString(data).addArrayOfString(meta);
    notifying(args);
    statements.increment();
    appendsSent.add(appends);
    return pool.preparedQuery(APPEND_MANY).execute(args).transform(ar -> {
      if (ar.failed()) {
        // One append spoilt the transaction (a duplicate event id, a deadlock with another process...):
        // the others must not fail with it, so each goes again on its own.
        return oneByOne(batch.iterator());
      }
      RowSet<Row> rows = ar.result();
      Iterator<Row> it = rows.iterator();
      boolean written = false;
      for (Pending p : batch) {
        Row row = it.next();
        written |= row.getShort(0) == 0;
        p.complete(outcome(p, row));
      }
      if (written) {
        notifier.appended();
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> oneByOne(Iterator<Pending> remaining) {
    if (!remaining.hasNext()) {
      return Future.succeededFuture();
    }
    return completeOne(remaining.next()).compose(v -> oneByOne(remaining));
  }

  /** The statement's last two arguments: the channel it notifies and this store's origin, or none. */
  private void notifying(Tuple args) {
    String channel = notifier.channelInTransaction();
    args.addString(channel).addString(channel == null ? null : notifier.origin());
  }

  private static void fill(List<NewEvent> events, int at, UUID[] ids, String[] types, Integer[] schemaVersions,
      String[] data, String[] meta) {
    for (int i = 0; i < events.size(); i++) {
      NewEvent e = events.get(i);
      ids[at + i] = e.eventId();
      types[at + i] = e.type();
      schemaVersions[at + i] = e.schemaVersion();
      data[at + i] = e.data();
      meta[at + i] = e.meta();
    }
  }

  private static Future<AppendResult> outcome(Pending p, Row row) {
    long version = row.getLong(1);
    return switch (row.getShort(0)) {
      case 0 -> Future.succeededFuture(new AppendResult(version, true));
      case 1 -> Future.succeededFuture(new AppendResult(version, false));
      case 2 -> Future.failedFuture(new WrongExpectedVersion(p.tenant(), p.streamId(), p.expected(), version));
      case 3 -> Future.failedFuture(new StreamArchived(p.tenant(), p.streamId(), version));
      default -> Future.failedFuture(new IllegalStateException("es_append outcome " + row.getShort(0)));
    };
  }
}
