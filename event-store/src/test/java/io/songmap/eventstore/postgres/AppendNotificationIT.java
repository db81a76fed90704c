package io.songmap.eventstore.postgres;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.Events;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.TestDb;
import io.songmap.eventstore.WrongExpectedVersion;
import io.vertx.core.Future;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What another process listening on the store's channel receives: one notification per append statement that
 * wrote events, naming the appending store, and none for appends that wrote nothing.
 */
class AppendNotificationIT {
  static TestDb db;
  TestDb.Proc listenerProc;
  PgSubscriber listener;
  final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void database() {
    db = new TestDb("AppendNotificationIT");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void listen() {
    listenerProc = db.process(); // another process: it hears of appends by NOTIFY only
    listener = PgSubscriber.subscriber(listenerProc.vertx, db.options);
    listener.channel(PgEventStoreOptions.DEFAULT_CHANNEL).handler(received::add);
    await(listener.connect());
  }

  @AfterEach
  void unlisten() {
    await(listener.close());
    listenerProc.close();
  }

  @Test
  void each_append_statement_notifies_once_naming_its_store() {
    TestDb.Proc writer = db.process();
    String origin = writer.store.notificationOrigin();
    long[] before = writer.store.appendStatistics();
    // 8 callers at once, 10 appends each: queued appends go together, one statement and one notification each.
    List<Future<?>> all = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      all.add(appendInTurn(writer, "caller-" + c, 0, 10));
    }
    await(Future.all(all));
    long statements = writer.store.appendStatistics()[0] - before[0];
    assertThat(statements).isLessThan(80); // batched, so fewer statements than appends
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= statements);
    assertThat(received).hasSize((int) statements).containsOnly(origin);
  }

  @Test
  void appends_that_write_nothing_notify_nobody() {
    TestDb.Proc writer = db.process();
    String origin = writer.store.notificationOrigin();
    List<NewEvent> events = Events.events("E", 2);
    await(writer.store.append("t", "quiet", ExpectedVersion.NO_STREAM, events));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    // The same events again (an idempotent retry) and a stale expected version: nothing written.
    assertThat(await(writer.store.append("t", "quiet", ExpectedVersion.NO_STREAM, events)).written()).isFalse();
    assertThatThrownBy(() -> await(writer.store.append("t", "quiet", ExpectedVersion.exactly(1),
        Events.events("E", 1)))).isInstanceOf(WrongExpectedVersion.class);
    // Notifications arrive in commit order: once this one is here, any from the two above would be too.
    await(writer.store.append("t", "quiet", ExpectedVersion.exactly(2), Events.events("E", 1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
    assertThat(received).containsExactly(origin, origin);
  }

  @Test
  void with_several_statements_at_once_a_separate_notification_still_names_the_store() {
    TestDb.Proc writer = db.process(PgEventStoreOptions.DEFAULT.withAppendBatching(2, 64));
    await(writer.store.append("t", "two-at-once", ExpectedVersion.NO_STREAM, Events.events("E", 1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    assertThat(received).containsOnly(writer.store.notificationOrigin());
  }

  private static Future<Void> appendInTurn(TestDb.Proc writer, String stream, int done, int total) {
    if (done == total) {
      return Future.succeededFuture();
    }
    ExpectedVersion expected = done == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(done);
    return writer.store.append("t", stream, expected, Events.events("E", 1))
        .compose(r -> appendInTurn(writer, stream, done + 1, total));
  }
}
