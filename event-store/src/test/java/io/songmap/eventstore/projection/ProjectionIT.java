package io.songmap.eventstore.projection;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.Events;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.TestDb;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProjectionIT {
  static TestDb db;

  @BeforeAll
  static void database() {
    db = new TestDb("ProjectionIT");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static SubscriptionOptions options(String name, String owner) {
    return SubscriptionOptions.named(name).withOwner(owner).withPageSize(16)
        .withPolling(Duration.ofMillis(5), Duration.ofMillis(200))
        .withLease(Duration.ofMillis(1500), Duration.ofMillis(300));
  }

  /** Appends {@code perStream} events to each of {@code streams} streams, interleaved, a few per append. */
  private static int appendInterleaved(TestDb.Proc proc, String tenant, String prefix, int streams, int perStream) {
    Random random = new Random(7);
    int[] versions = new int[streams];
    int total = 0;
    List<Integer> open = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      open.add(s);
    }
    while (!open.isEmpty()) {
      int s = open.get(random.nextInt(open.size()));
      int n = Math.min(1 + random.nextInt(3), perStream - versions[s]);
      List<NewEvent> batch = Events.events("E", n);
      await(proc.store.append(tenant, prefix + s, ExpectedVersion.exactly(versions[s]), batch));
      versions[s] += n;
      total += n;
      if (versions[s] == perStream) {
        open.remove(Integer.valueOf(s));
      }
    }
    return total;
  }

  private static String contents(String table) {
    return db.rows("SELECT stream_id, events, versions::text FROM " + table + " ORDER BY stream_id").stream()
        .map(Row::deepToString).collect(Collectors.joining("\n"));
  }

  private static long sum(String table) {
    return db.rows("SELECT coalesce(sum(events), 0) FROM " + table).get(0).getLong(0);
  }

  private static void assertEveryEventOnce(String table, int streams, int perStream) {
    List<Row> rows = db.rows("SELECT stream_id, versions FROM " + table);
    assertThat(rows).hasSize(streams);
    Long[] expected = new Long[perStream];
    for (int v = 0; v < perStream; v++) {
      expected[v] = v + 1L;
    }
    for (Row r : rows) {
      assertThat(r.getArrayOfLongs(1)).as(r.getString(0)).containsExactly(expected);
    }
  }

  @Test
  void a_projection_killed_between_its_rows_and_its_checkpoint_applies_no_event_twice() {
    TestDb.Proc first = db.process();
    StreamCountsProjection doomed = new StreamCountsProjection("counts_kill", "kill");
    int total = appendInterleaved(first, "kill", "s", 5, 8);
    // Hang on an event in the middle of the log, after its rows are written in the page's transaction.
    doomed.hangAfter = await(first.store.readAll(io.songmap.eventstore.Position.START,
        doomed.filter(), 20)).events().get(19).eventId();
    await(ProjectionRunner.start(first.vertx, first.store, db.options, doomed, options("counts_kill", "first")));
    await(doomed.hanging.future());
    long before = sum("counts_kill");
    first.close(); // the process dies: its open transaction is rolled back, its lease is left to expire

    TestDb.Proc second = db.process();
    StreamCountsProjection survivor = new StreamCountsProjection("counts_kill", "kill");
    ProjectionRunner runner = await(ProjectionRunner.start(second.vertx, second.store, db.options, survivor,
        options("counts_kill", "second")));
    await().atMost(Duration.ofSeconds(30)).until(() -> sum("counts_kill") == total);

    assertThat(before).as("committed before the crash").isLessThan(20);
    assertEveryEventOnce("counts_kill", 5, 8);
    await(runner.stop());
  }

  @Test
  void a_rebuild_gives_the_rows_of_the_live_projection_and_performs_no_side_effects() {
    TestDb.Proc proc = db.process();
    StreamCountsProjection projection = new StreamCountsProjection("counts_live", "rebuild");
    int total = appendInterleaved(proc, "rebuild", "a", 12, 10);
    ProjectionRunner runner = await(ProjectionRunner.start(proc.vertx, proc.store, db.options, projection,
        options("counts_live", "only")));
    await().atMost(Duration.ofSeconds(30)).until(() -> sum("counts_live") == total);
    String live = contents("counts_live");
    int effects = projection.sideEffects.get();
    assertThat(effects).isEqualTo(total);

    await(runner.rebuild());
    assertThat(contents("counts_live")).isEqualTo(live);
    assertThat(projection.sideEffects.get()).isEqualTo(effects);

    // Again, with writers appending during the rebuild: nothing is lost or doubled across the swap.
    Future<Integer> writing = proc.vertx.executeBlocking(() -> appendInterleaved(proc, "rebuild", "b", 6, 10));
    await(runner.rebuild());
    int more = await(writing);
    await().atMost(Duration.ofSeconds(30)).until(() -> sum("counts_live") == total + more);
    assertEveryEventOnce("counts_live", 18, 10);
    assertThat(projection.sideEffects.get()).as("every new event had its side effects, once")
        .isEqualTo(effects + more);
    assertThat(db.rows("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'counts_live%'").get(0).getLong(0))
        .as("the old tables are gone").isEqualTo(1);

    await(runner.stop());
  }
}
