package io.songmap.eventstore;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many writers on one stream: one winner per version, and no event lost. */
class ConcurrentWritersIT {
  static TestDb db;
  static List<TestDb.Proc> procs = new ArrayList<>();

  @BeforeAll
  static void database() {
    db = new TestDb("ConcurrentWritersIT");
    procs.add(db.process());
    procs.add(db.process());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void racing_on_the_same_expected_version_has_exactly_one_winner() {
    await(procs.get(0).store.append("t", "race", ExpectedVersion.NO_STREAM, Events.events("A", 1)));
    List<Future<AppendResult>> racers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      racers.add(procs.get(i % 2).store.append("t", "race", ExpectedVersion.exactly(1), Events.events("B", 2)));
    }
    await(Future.join(racers).otherwiseEmpty());
    assertThat(racers.stream().filter(Future::succeeded).count()).isEqualTo(1);
    assertThat(racers.stream().filter(Future::failed).map(Future::cause))
        .hasSize(15)
        .allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(WrongExpectedVersion.class,
            w -> assertThat(w.actualVersion()).isEqualTo(3)));
    assertThat(await(procs.get(0).store.readStream("t", "race", 1)).events()).hasSize(3);
  }

  @Test
  void writers_that_retry_on_conflict_lose_nothing_and_leave_no_hole() {
    int writers = 12;
    int perWriter = 15;
    AtomicInteger conflicts = new AtomicInteger();
    Set<UUID> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Future<Void>> running = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      running.add(writer(procs.get(w % 2).store, w, perWriter, written, conflicts));
    }
    await(Future.all(running));

    StreamSlice slice = await(procs.get(0).store.readStream("t", "busy", 1));
    assertThat(slice.streamVersion()).isEqualTo(writers * perWriter);
    List<Long> versions = slice.events().stream().map(RecordedEvent::version).toList();
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= writers * perWriter; v++) {
      expected.add(v);
    }
    assertThat(versions).isEqualTo(expected);
    Set<UUID> stored = new HashSet<>();
    slice.events().forEach(e -> stored.add(e.eventId()));
    assertThat(stored).isEqualTo(written);
    assertThat(conflicts.get()).as("the writers did race").isPositive();
  }

  /** Read the version, append one event at it, retry from a fresh read on conflict. */
  private static Future<Void> writer(EventStore store, int w, int count, Set<UUID> written, AtomicInteger conflicts) {
    Promise<Void> done = Promise.promise();
    next(store, w, 0, count, written, conflicts, done);
    return done.future();
  }

  private static void next(EventStore store, int w, int i, int count, Set<UUID> written, AtomicInteger conflicts,
      Promise<Void> done) {
    if (i == count) {
      done.complete();
      return;
    }
    NewEvent e = Events.event("W" + w, i);
    store.readStream("t", "busy", Long.MAX_VALUE)
        .compose(s -> store.append("t", "busy", ExpectedVersion.exactly(s.streamVersion()), List.of(e)))
        .onSuccess(r -> {
          written.add(e.eventId());
          next(store, w, i + 1, count, written, conflicts, done);
        })
        .onFailure(err -> {
          if (err instanceof WrongExpectedVersion) {
            conflicts.incrementAndGet();
            next(store, w, i, count, written, conflicts, done);
          } else {
            done.tryFail(err);
          }
        });
  }
}
