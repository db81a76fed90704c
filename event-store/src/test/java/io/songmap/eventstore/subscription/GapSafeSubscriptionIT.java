package io.songmap.eventstore.subscription;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.Events;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writers commit out of order (random delays and one long transaction that took its global position first). A
 * subscription following the (tx, global_pos) cursor below the xmin fence receives every event exactly once and
 * in cursor order; a naive reader that keeps {@code global_pos > checkpoint} skips the long transaction's event,
 * because it had moved past that position before the event became visible.
 */
class GapSafeSubscriptionIT {
  static TestDb db;
  static TestDb.Proc proc;

  @BeforeAll
  static void database() {
    db = new TestDb("GapSafeSubscriptionIT");
    proc = db.process();
    await(proc.pool.query("CREATE TABLE received (seq bigserial, event_id uuid NOT NULL, tx bigint NOT NULL,"
        + " global_pos bigint NOT NULL)").execute());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void every_event_once_in_cursor_order_while_a_naive_reader_misses_the_late_commit() throws Exception {
    Subscription subscription = Subscription.create(proc.vertx, proc.store, db.options,
        SubscriptionOptions.named("gap").withPageSize(7).withPolling(Duration.ofMillis(5), Duration.ofMillis(100)),
        GapSafeSubscriptionIT::record);
    await(subscription.start());
    NaiveReader naive = new NaiveReader();
    naive.start();

    // The long transaction appends first, so its event has the lowest global_pos, then stays open.
    SqlConnection longTx = await(proc.pool.getConnection());
    await(longTx.query("BEGIN").execute());
    NewEvent late = Events.event("Late", 0);
    await(longTx.preparedQuery("SELECT outcome FROM es_append($1, $2, 0, $3, $4, $5, $6, $7, 'es_events')")
        .execute(Tuple.tuple().addString("t").addString("long").addArrayOfUUID(new UUID[] {late.eventId()})
            .addArrayOfString(new String[] {"Late"}).addArrayOfInteger(new Integer[] {1})
            .addArrayOfString(new String[] {late.data()}).addArrayOfString(new String[] {late.meta()})));

    int writers = 4;
    int perWriter = 25;
    List<Future<Void>> writing = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      writing.add(writeSlowly("w" + w, perWriter, new Random(w)));
    }
    Thread.sleep(600);
    // While the long transaction is open, nothing at or above its tx id can be read, even though committed.
    assertThat(db.rows("SELECT count(*) FROM received").get(0).getLong(0)).isZero();
    await(Future.all(writing));
    Thread.sleep(300);
    await(longTx.query("COMMIT").execute());
    await(longTx.close());

    int total = writers * perWriter + 1;
    await().atMost(Duration.ofSeconds(30))
        .until(() -> db.rows("SELECT count(*) FROM received").get(0).getLong(0) == total);
    Thread.sleep(300); // let both readers poll again after the last event: nothing more may arrive
    naive.stop();
    await(subscription.stop());

    List<Row> rows = db.rows("SELECT event_id, tx, global_pos FROM received ORDER BY seq");
    assertThat(rows).hasSize(total);
    assertThat(rows.stream().map(r -> r.getUUID(0)).distinct().count()).isEqualTo(total);
    List<Position> order = rows.stream().map(r -> new Position(r.getLong(1), r.getLong(2))).toList();
    assertThat(order).isSorted().doesNotHaveDuplicates();
    assertThat(rows).extracting(r -> r.getUUID(0)).contains(late.eventId());

    // The late event had the smallest global_pos but the naive reader had already moved past it.
    assertThat(naive.seen).hasSize(total - 1).doesNotContain(late.eventId());
  }

  private static Future<Void> record(SqlConnection tx, List<RecordedEvent> events) {
    List<Tuple> batch = new ArrayList<>();
    for (RecordedEvent e : events) {
      batch.add(Tuple.of(e.eventId(), e.position().tx(), e.position().globalPosition()));
    }
    return tx.preparedQuery("INSERT INTO received (event_id, tx, global_pos) VALUES ($1, $2, $3)")
        .executeBatch(batch).mapEmpty();
  }

  private static Future<Void> writeSlowly(String stream, int count, Random random) {
    Promise<Void> done = Promise.promise();
    proc.vertx.runOnContext(v -> writeNext(stream, 0, count, random, done));
    return done.future();
  }

  private static void writeNext(String stream, int i, int count, Random random, Promise<Void> done) {
    if (i == count) {
      done.complete();
      return;
    }
    proc.vertx.setTimer(1 + random.nextInt(20), t -> proc.store
        .append("t", stream, ExpectedVersion.exactly(i), List.of(Events.event("Step", i)))
        .onFailure(done::tryFail)
        .onSuccess(r -> writeNext(stream, i + 1, count, random, done)));
  }

  /** What a reader without the xid fence does: global_pos > checkpoint, in global_pos order. */
  static final class NaiveReader {
    final Set<UUID> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private final Thread thread = new Thread(this::run, "naive-reader");

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join();
    }

    private void run() {
      long checkpoint = 0;
      while (!stopped) {
        for (Row r : db.rows("SELECT global_pos, event_id FROM es_event WHERE global_pos > " + checkpoint
            + " ORDER BY global_pos LIMIT 10")) {
          checkpoint = r.getLong(0);
          seen.add(r.getUUID(1));
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
