package io.songmap.eventstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The read-ahead's bookkeeping against a log in memory that grows while it is read, with the queries answered in a
 * random order and each one evaluated against the log as it is when it is answered, the way concurrent queries on
 * several connections see it. Whatever the order, every event up to the returned position reaches the handler
 * exactly once and in order, and the read ends.
 */
class ReadAheadTest {

  @Test
  void every_event_once_in_order_whatever_order_the_queries_come_back_in() {
    for (int seed = 0; seed < 2_000; seed++) {
      Random random = new Random(seed);
      int pageSize = 1 + random.nextInt(6);
      FakeLog log = new FakeLog(random, random.nextInt(80), random.nextInt(40));
      List<Position> handed = new ArrayList<>();
      List<Integer> pageSizes = new ArrayList<>();
      Future<Position> done = ReadAhead.run(log, Position.START, pageSize, page -> {
        assertThat(page).isNotEmpty();
        page.forEach(e -> handed.add(e.position()));
        pageSizes.add(page.size());
        return log.later(() -> Future.succeededFuture());
      });
      log.runUntilIdle();

      assertThat(done.succeeded()).as("seed %d: %s", seed, done.cause()).isTrue();
      Position end = done.result();
      List<Position> expected = log.events.stream().filter(p -> p.compareTo(end) <= 0).toList();
      assertThat(handed).as("seed %d", seed).isEqualTo(expected);
      assertThat(pageSizes).as("seed %d", seed).allMatch(n -> n <= pageSize);
      // It stops only at a short page: what was in the log when the read began is all there.
      assertThat(handed.size()).as("seed %d", seed).isGreaterThanOrEqualTo(log.initial);
      assertThat(log.inFlightMax).as("seed %d: page queries at once", seed).isLessThanOrEqualTo(ReadAhead.WINDOW);
    }
  }

  @Test
  void a_failing_handler_fails_the_read_and_no_later_page_is_handed_over() {
    Random random = new Random(7);
    FakeLog log = new FakeLog(random, 50, 0);
    List<Integer> seen = new ArrayList<>();
    Future<Position> done = ReadAhead.run(log, Position.START, 5, page -> {
      seen.add(page.size());
      return seen.size() == 3 ? Future.failedFuture(new IllegalStateException("handler broke")) : Future.succeededFuture();
    });
    log.runUntilIdle();
    assertThat(done.failed()).isTrue();
    assertThat(done.cause()).hasMessage("handler broke");
    assertThat(seen).hasSize(3);
  }

  @Test
  void a_failing_query_fails_the_read() {
    Random random = new Random(11);
    FakeLog log = new FakeLog(random, 50, 0);
    log.failClosedReads = true;
    Future<Position> done = ReadAhead.run(log, Position.START, 5, page -> Future.succeededFuture());
    log.runUntilIdle();
    assertThat(done.failed()).isTrue();
    assertThat(done.cause()).hasMessage("closed read failed");
  }

  /** A global log of positions 1, 2, 3, ... that gains events while queries are pending. */
  private static final class FakeLog implements ReadAhead.Reads {
    final List<Position> events = new ArrayList<>();
    final int initial;
    private final Random random;
    private int toAppend;
    private final List<Runnable> pending = new ArrayList<>();
    private int inFlight;
    int inFlightMax;
    boolean failClosedReads;

    FakeLog(Random random, int initial, int appendedLater) {
      this.random = random;
      this.initial = initial;
      this.toAppend = appendedLater;
      for (int i = 0; i < initial; i++) {
        append();
      }
    }

    private void append() {
      long n = events.size() + 1;
      events.add(new Position(n, n));
    }

    <T> Future<T> later(Supplier<Future<T>> answer) {
      Promise<T> promise = Promise.promise();
      pending.add(() -> answer.get().onComplete(promise));
      return promise.future();
    }

    private Future<AllEventsPage> pageQuery(Supplier<AllEventsPage> answer) {
      inFlight++;
      inFlightMax = Math.max(inFlightMax, inFlight);
      return later(() -> {
        inFlight--;
        return Future.succeededFuture(answer.get());
      });
    }

    void runUntilIdle() {
      while (!pending.isEmpty()) {
        if (toAppend > 0 && random.nextInt(3) == 0) {
          int n = 1 + random.nextInt(Math.min(toAppend, 5));
          for (int i = 0; i < n; i++) {
            append();
          }
          toAppend -= n;
        }
        pending.remove(random.nextInt(pending.size())).run();
      }
    }

    @Override
    public Future<AllEventsPage> open(Position after, int limit) {
      return pageQuery(() -> {
        List<RecordedEvent> page = events.stream().filter(p -> p.compareTo(after) > 0).limit(limit)
            .map(FakeLog::event).toList();
        return new AllEventsPage(page, page.isEmpty() ? after : page.get(page.size() - 1).position());
      });
    }

    @Override
    public Future<AllEventsPage> closed(Position after, Position upTo) {
      if (failClosedReads) {
        return later(() -> Future.failedFuture(new IllegalStateException("closed read failed")));
      }
      return pageQuery(() -> new AllEventsPage(events.stream()
          .filter(p -> p.compareTo(after) > 0 && p.compareTo(upTo) <= 0).map(FakeLog::event).toList(), upTo));
    }

    @Override
    public Future<List<Position>> boundaries(Position after, int pageSize, int count) {
      return later(() -> {
        List<Position> rest = events.stream().filter(p -> p.compareTo(after) > 0).limit((long) pageSize * count)
            .toList();
        List<Position> found = new ArrayList<>();
        for (int i = pageSize - 1; i < rest.size(); i += pageSize) {
          found.add(rest.get(i));
        }
        return Future.succeededFuture(found);
      });
    }

    private static RecordedEvent event(Position p) {
      return new RecordedEvent(p, "t", "s", p.globalPosition(), UUID.randomUUID(), "T", 1, "{}", "{}", Instant.EPOCH);
    }
  }
}
