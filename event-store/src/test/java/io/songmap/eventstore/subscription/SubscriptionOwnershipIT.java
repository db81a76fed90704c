package io.songmap.eventstore.subscription;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.Events;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.TestDb;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Processes running the same named subscription: only one handles events; when it dies, another takes over after
 * the lease expires and goes on from the committed checkpoint, with nothing handled twice.
 */
class SubscriptionOwnershipIT {
  static TestDb db;

  @BeforeAll
  static void database() {
    db = new TestDb("SubscriptionOwnershipIT");
    db.rows("CREATE TABLE handled (event_id uuid NOT NULL, owner text NOT NULL)");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static Subscription subscription(TestDb.Proc proc, String name, String owner) {
    SubscriptionOptions options = SubscriptionOptions.named(name).withOwner(owner).withPageSize(10)
        .withPolling(Duration.ofMillis(5), Duration.ofMillis(200))
        .withLease(Duration.ofMillis(1200), Duration.ofMillis(200));
    return Subscription.create(proc.vertx, proc.store, db.options, options,
        (tx, events) -> handle(tx, events, owner));
  }

  private static Future<Void> handle(SqlConnection tx, List<RecordedEvent> events, String owner) {
    List<Tuple> rows = new ArrayList<>();
    events.forEach(e -> rows.add(Tuple.of(e.eventId(), owner)));
    return tx.preparedQuery("INSERT INTO handled (event_id, owner) VALUES ($1, $2)").executeBatch(rows).mapEmpty();
  }

  private static long handled(String sql) {
    return db.rows(sql).get(0).getLong(0);
  }

  @Test
  void one_owner_at_a_time_and_takeover_when_it_dies() {
    TestDb.Proc a = db.process();
    TestDb.Proc b = db.process();
    Subscription subA = subscription(a, "relay", "A");
    await(subA.start());
    await().atMost(Duration.ofSeconds(10)).until(subA::isOwner);
    Subscription subB = subscription(b, "relay", "B");
    await(subB.start());
    await(a.store.append("t", "s1", ExpectedVersion.NO_STREAM, Events.events("E", 30)));

    await().atMost(Duration.ofSeconds(20)).until(() -> handled("SELECT count(*) FROM handled") == 30);
    assertThat(subB.isOwner()).isFalse();
    assertThat(handled("SELECT count(*) FROM handled WHERE owner = 'B'")).isZero();

    a.close(); // dies without giving up its lease
    await(b.store.append("t", "s2", ExpectedVersion.NO_STREAM, Events.events("E", 30)));
    await().atMost(Duration.ofSeconds(20)).until(() -> handled("SELECT count(*) FROM handled") >= 60);
    assertThat(subB.isOwner()).isTrue();
    assertThat(handled("SELECT count(*) FROM handled WHERE owner = 'B'")).isEqualTo(30);
    await(subB.stop());
    assertThat(handled("SELECT count(DISTINCT event_id) FROM handled")).isEqualTo(60);
    assertThat(handled("SELECT count(*) FROM handled")).isEqualTo(60);
  }

  @Test
  void a_stopped_owner_hands_over_at_once() {
    TestDb.Proc a = db.process();
    TestDb.Proc b = db.process();
    Subscription subA = subscription(a, "handover", "A2");
    await(subA.start());
    await().atMost(Duration.ofSeconds(10)).until(subA::isOwner);
    Subscription subB = subscription(b, "handover", "B2");
    await(subB.start());
    await(subA.stop());
    await().atMost(Duration.ofMillis(1000)).until(subB::isOwner);
    await(subB.stop());
  }

  @Test
  void a_notification_wakes_an_idle_subscriber_long_before_its_next_poll() throws Exception {
    TestDb.Proc p = db.process();
    TestDb.Proc writer = db.process(); // another process: its append reaches the subscriber by NOTIFY only
    SubscriptionOptions options = SubscriptionOptions.named("woken").withOwner("W")
        .withFilter(EventFilter.ALL.forTenant("quiet"))
        .withPolling(Duration.ofMillis(20), Duration.ofSeconds(30));
    Subscription sub = Subscription.create(p.vertx, p.store, db.options, options,
        (tx, events) -> handle(tx, events, "W"));
    await(sub.start());
    await().atMost(Duration.ofSeconds(10)).until(sub::isOwner);
    // Idle since ~0 s: reads at 0.02, 0.06, ... 2.54 s, then the next poll is due at 5.1 s. An append at 3 s is
    // seen before 4.5 s only if its notification wakes the subscriber.
    Thread.sleep(3000);
    await(writer.store.append("quiet", "wake", ExpectedVersion.NO_STREAM, Events.events("E", 1)));
    await().atMost(Duration.ofMillis(1500))
        .until(() -> handled("SELECT count(*) FROM handled WHERE owner = 'W'") == 1);
    await(sub.stop());
  }

  @Test
  void an_append_of_the_same_store_wakes_a_subscriber_without_any_notification() throws Exception {
    TestDb.Proc p = db.process();
    SubscriptionOptions options = SubscriptionOptions.named("woken-here").withOwner("H")
        .withFilter(EventFilter.ALL.forTenant("here"))
        .withPolling(Duration.ofMillis(20), Duration.ofSeconds(30));
    // No LISTEN connection: only polling, or the store telling its subscribers directly.
    Subscription sub = Subscription.create(p.vertx, p.store, null, options, (tx, events) -> handle(tx, events, "H"));
    await(sub.start());
    await().atMost(Duration.ofSeconds(10)).until(sub::isOwner);
    Thread.sleep(3000); // idle: the next poll is due at 5.1 s (see above)
    await(p.store.append("here", "wake", ExpectedVersion.NO_STREAM, Events.events("E", 1)));
    await().atMost(Duration.ofMillis(1500))
        .until(() -> handled("SELECT count(*) FROM handled WHERE owner = 'H'") == 1);
    await(sub.stop());
  }
}
