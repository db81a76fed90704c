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
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A subscription made with {@link Subscription#createSending}: pages go out ahead of their acknowledgements, the
 * checkpoint follows the acknowledgements in page order, and a failed page makes it start again from the
 * checkpoint, so that nothing is skipped.
 */
class SendingSubscriptionIT {
  static TestDb db;

  @BeforeAll
  static void database() {
    db = new TestDb("SendingSubscriptionIT");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  /** Records what it was sent and leaves each page's acknowledgement to the test. */
  static final class Sender implements PageSender {
    final List<UUID> sent = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Promise<PageHandler>> unacked = new ConcurrentLinkedQueue<>();

    @Override
    public Future<PageHandler> send(List<RecordedEvent> events) {
      events.forEach(e -> sent.add(e.eventId()));
      Promise<PageHandler> acked = Promise.promise();
      unacked.add(acked);
      return acked.future();
    }

    /** Acknowledges whatever comes until {@code distinct} different events were sent and nothing waits. */
    void ackUntilSent(int distinct) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (new LinkedHashSet<>(sent).size() < distinct || !unacked.isEmpty()) {
        assertThat(System.nanoTime()).as("all sent within 10 s").isLessThan(deadline);
        ackAll();
        sleep(20);
      }
    }

    void ackAll() {
      Promise<PageHandler> p;
      while ((p = unacked.poll()) != null) {
        p.complete((tx, events) -> Future.succeededFuture());
      }
    }
  }

  private static Subscription subscription(TestDb.Proc p, String tenant, Sender sender) {
    SubscriptionOptions options = SubscriptionOptions.named("sending-" + tenant).withOwner("S")
        .withFilter(EventFilter.ALL.forTenant(tenant)).withPageSize(10)
        .withPolling(Duration.ofMillis(5), Duration.ofMillis(50));
    return Subscription.createSending(p.vertx, p.store, db.options, options, sender, 3);
  }

  record Started(List<UUID> ids, Sender sender, Subscription sub) {}

  /** Appends {@code n} events for {@code tenant}, then starts a sending subscription to them. */
  private static Started start(String tenant, int n) {
    TestDb.Proc p = db.process();
    List<UUID> ids = append(p, tenant, n);
    Sender sender = new Sender();
    Subscription sub = subscription(p, tenant, sender);
    await(sub.start());
    return new Started(ids, sender, sub);
  }

  private static List<UUID> append(TestDb.Proc p, String tenant, int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var events = Events.events("E", 1);
      ids.add(events.get(0).eventId());
      await(p.store.append(tenant, "s" + i, ExpectedVersion.NO_STREAM, events));
    }
    return ids;
  }

  @Test
  void pages_go_out_ahead_of_their_acknowledgements_and_the_checkpoint_follows_them() {
    Started t = start("ahead", 50);
    // Three pages in flight, none acknowledged: the subscription waits with 30 events out and no checkpoint.
    await().atMost(Duration.ofSeconds(10)).until(() -> t.sender().sent.size() == 30);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> t.sender().sent.size() == 30);
    assertThat(t.sub().position()).isEqualTo(io.songmap.eventstore.Position.START);
    t.sender().ackUntilSent(50);
    await().atMost(Duration.ofSeconds(10)).until(() -> t.sub().position() != null
        && t.sub().position().globalPosition() == lastPosition("ahead"));
    assertThat(t.sender().sent).containsExactlyElementsOf(t.ids());
    await(t.sub().stop());
  }

  @Test
  void a_failed_page_is_sent_again_from_the_checkpoint_and_nothing_is_skipped() {
    Started t = start("again", 35);
    await().atMost(Duration.ofSeconds(10)).until(() -> t.sender().unacked.size() == 3);
    // Take all three before answering any: the page sent again after the failure must stay in the queue.
    Promise<PageHandler> page1 = t.sender().unacked.poll();
    Promise<PageHandler> page2 = t.sender().unacked.poll();
    t.sender().unacked.poll(); // page 3: its acknowledgement never comes
    page1.complete((tx, events) -> Future.succeededFuture()); // page 1 is fine
    page2.fail(new IllegalStateException("broker said no")); // page 2 is not
    await().atMost(Duration.ofSeconds(10)).until(() -> !t.sender().unacked.isEmpty());
    t.sender().ackUntilSent(35);
    await().atMost(Duration.ofSeconds(10)).until(() -> t.sub().position() != null
        && t.sub().position().globalPosition() == lastPosition("again"));
    assertThat(t.sender().sent.subList(0, 30)).as("first sends, in order").containsExactlyElementsOf(t.ids().subList(0, 30));
    assertThat(t.sender().sent.subList(30, 40)).as("page 2 again, from the checkpoint after page 1")
        .containsExactlyElementsOf(t.ids().subList(10, 20));
    assertThat(new LinkedHashSet<>(t.sender().sent)).containsExactlyElementsOf(t.ids());
    await(t.sub().stop());
  }

  @Test
  void stopping_without_acknowledgements_gives_the_pages_up_and_the_next_owner_sends_them_again() {
    Started t = start("unacked", 25);
    await().atMost(Duration.ofSeconds(10)).until(() -> t.sender().unacked.size() == 3);
    long started = System.nanoTime();
    await(t.sub().stop(Duration.ofMillis(300)), Duration.ofSeconds(20)); // no acknowledgement ever comes
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(db.rows("SELECT global_pos FROM es_checkpoint WHERE name = 'sending-unacked'").get(0).getLong(0))
        .as("the checkpoint stays before the pages given up").isZero();

    Sender next = new Sender();
    Subscription taken = subscription(db.process(), "unacked", next);
    await(taken.start());
    next.ackUntilSent(25); // within 10 s: the lease was released, not left to expire
    assertThat(next.sent.subList(0, 25)).containsExactlyElementsOf(t.ids());
    await(taken.stop());
  }

  private static long lastPosition(String tenant) {
    return db.rows("SELECT max(global_pos) FROM es_event WHERE tenant = '" + tenant + "'").get(0).getLong(0);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
