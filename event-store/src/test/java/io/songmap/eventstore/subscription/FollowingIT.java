package io.songmap.eventstore.subscription;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.Events;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.TestDb;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A subscription that has read everything waits for the next notification instead of polling, unless its last read
 * saw events held back above the fence by a transaction still running; and a page that writes nothing moves the
 * checkpoint in one statement. Every subscription here polls only every 30 s when no notification comes, so an event
 * that arrives within seconds came by a notification or by the quick polls that a held-back event starts.
 */
class FollowingIT {
  private static final Duration QUIET_POLL = Duration.ofSeconds(30);
  static TestDb db;

  @BeforeAll
  static void database() {
    db = new TestDb("FollowingIT");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void a_read_says_whether_events_wait_above_its_fence() {
    TestDb.Proc p = db.process();
    EventFilter tenant = EventFilter.ALL.forTenant("fence");
    await(p.store.append("fence", "a", ExpectedVersion.NO_STREAM, Events.events("E", 1)));
    AllEventsPage first = await(p.store.readAllFollowing(Position.START, tenant, 100));
    assertThat(first.events()).hasSize(1);
    assertThat(first.heldBack()).as("nothing runs: nothing is held back").isFalse();

    SqlConnection open = openTransactionWithId(p);
    await(p.store.append("fence", "b", ExpectedVersion.NO_STREAM, Events.events("E", 1)));
    AllEventsPage held = await(p.store.readAllFollowing(first.last(), tenant, 100));
    assertThat(held.events()).as("committed after a transaction that is still running").isEmpty();
    assertThat(held.heldBack()).isTrue();
    assertThat(held.last()).isEqualTo(first.last());

    await(open.query("COMMIT").execute());
    await(open.close());
    AllEventsPage released = await(p.store.readAllFollowing(first.last(), tenant, 100));
    assertThat(released.events()).hasSize(1);
    assertThat(released.heldBack()).isFalse();
    // The plain read cannot tell, so it says "maybe".
    assertThat(await(p.store.readAll(released.last(), tenant, 100)).heldBack()).isTrue();
  }

  @Test
  void a_drained_subscription_is_woken_by_another_processes_appends() throws Exception {
    TestDb.Proc writer = db.process();
    Received received = new Received();
    Subscription sub = start(db.process(), "wake", received);
    for (int i = 0; i < 3; i++) {
      Thread.sleep(300); // long enough to have drained the log
      UUID id = append(writer, "wake", "s" + i);
      await().atMost(Duration.ofSeconds(5)).until(() -> received.ids.contains(id));
    }
    await(sub.stop());
  }

  @Test
  void an_event_held_back_by_a_transaction_that_notifies_nobody_arrives_soon_after_it_ends() throws Exception {
    TestDb.Proc writer = db.process();
    Received received = new Received();
    Subscription sub = start(db.process(), "held", received);
    SqlConnection open = openTransactionWithId(writer);
    UUID id = append(writer, "held", "s");
    Thread.sleep(500);
    assertThat(received.ids).as("held back while the older transaction runs").isEmpty();
    await(open.query("COMMIT").execute()); // no notification: only the quick polls can find it now
    await(open.close());
    await().atMost(Duration.ofSeconds(5)).until(() -> received.ids.contains(id));
    await(sub.stop());
  }

  @Test
  void a_relaxed_checkpoint_move_is_one_statement_and_leaves_the_session_setting_alone() {
    TestDb.Proc p = db.process();
    String name = "relaxed";
    long fence = await(Lease.tryAcquire(p.pool, name, "me", Duration.ofSeconds(30)));
    SqlConnection conn = await(p.pool.getConnection());
    assertThat(await(Checkpoints.load(conn, name))).isEqualTo(Position.START);
    Tuple args = Tuple.tuple().addString(name).addString("me").addLong(fence).addString("0").addLong(0L)
        .addString("5").addLong(7L);
    var rows = await(conn.preparedQuery(Checkpoints.MOVE_RELAXED + " RETURNING current_setting('synchronous_commit')")
        .execute(args));
    assertThat(rows.iterator().next().getString(0)).as("in effect in the statement's transaction").isEqualTo("off");
    assertThat(await(conn.query("SHOW synchronous_commit").execute()).iterator().next().getString(0))
        .as("the session's own setting afterwards").isEqualTo("on");
    assertThat(await(Checkpoints.read(conn, name))).isEqualTo(new Position(5, 7));

    await(Checkpoints.moveRelaxed(conn, name, "me", fence, new Position(5, 7), new Position(6, 9)));
    assertThat(await(Checkpoints.read(conn, name))).isEqualTo(new Position(6, 9));
    assertThatThrownBy(() -> await(Checkpoints.moveRelaxed(conn, name, "me", fence, new Position(5, 7),
        new Position(8, 10)))).isInstanceOf(Checkpoints.CheckpointMoved.class);
    assertThatThrownBy(() -> await(Checkpoints.moveRelaxed(conn, name, "someone else", fence, new Position(6, 9),
        new Position(8, 10)))).isInstanceOf(Checkpoints.CheckpointMoved.class);
    assertThat(await(Checkpoints.read(conn, name))).isEqualTo(new Position(6, 9));
    await(conn.close());
  }

  /** Records the ids of the events it is handed. */
  static final class Received implements PageHandler {
    final List<UUID> ids = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> handle(SqlConnection tx, List<io.songmap.eventstore.RecordedEvent> events) {
      events.forEach(e -> ids.add(e.eventId()));
      return Future.succeededFuture();
    }
  }

  private static Subscription start(TestDb.Proc p, String tenant, Received received) {
    Subscription sub = Subscription.create(p.vertx, p.store, db.options,
        SubscriptionOptions.named("following-" + tenant).withFilter(EventFilter.ALL.forTenant(tenant))
            .withPolling(Duration.ofMillis(5), QUIET_POLL), received);
    await(sub.start());
    await().atMost(Duration.ofSeconds(10)).until(sub::isOwner);
    return sub;
  }

  private static UUID append(TestDb.Proc p, String tenant, String stream) {
    NewEvent e = Events.event("E", 0);
    await(p.store.append(tenant, stream, ExpectedVersion.NO_STREAM, List.of(e)));
    return e.eventId();
  }

  /** A transaction that holds a transaction id, as any writer does, and notifies nobody when it ends. */
  private static SqlConnection openTransactionWithId(TestDb.Proc p) {
    SqlConnection open = await(p.pool.getConnection());
    await(open.query("BEGIN").execute());
    await(open.query("SELECT pg_current_xact_id()").execute());
    return open;
  }
}
