package io.songmap.eventstore.postgres;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the global log page by page with up to {@link #WINDOW} page queries at once, each on its own connection,
 * so that several PostgreSQL backends turn rows into text side by side while this process decodes and hands out
 * the pages in order.
 *
 * <p>A page query needs to know where it starts, and a page's end is only known once it has been read. So a cheap
 * query that returns only positions finds the ends of the next few pages ahead ({@link Reads#boundaries}); a page
 * between two such boundaries is a closed range. Every boundary lies below the fence of the query that found it,
 * so the rows of a closed range are final: no transaction can still commit inside it. Where no boundary is known
 * yet (at the start, and near the end of the log) a page is read the ordinary way, open-ended with a limit; such
 * a page is a barrier, since nothing after it can be scheduled until it is back. A short open-ended page ends the
 * read, as in {@link io.songmap.eventstore.EventStore#forEachPage}.
 */
final class ReadAhead {
  /** Page queries in flight or waiting for the handler. */
  static final int WINDOW = 2;
  /** Page ends asked for per boundary query. */
  static final int BOUNDARIES = 4;

  /** The queries the reader runs. */
  interface Reads {
    /** Up to {@code limit} events after {@code after}, below the fence of the query. */
    Future<AllEventsPage> open(Position after, int limit);

    /** Every event in {@code (after, upTo]}; its {@code last} is {@code upTo}. */
    Future<AllEventsPage> closed(Position after, Position upTo);

    /** The positions of events number pageSize, 2 pageSize, ... count pageSize after {@code after}. */
    Future<List<Position>> boundaries(Position after, int pageSize, int count);
  }

  private record Slot(Future<AllEventsPage> page) {
  }

  private final Reads reads;
  private final int pageSize;
  private final Function<List<RecordedEvent>, Future<Void>> handler;
  private final Promise<Position> done = Promise.promise();
  private final ArrayDeque<Slot> queue = new ArrayDeque<>();
  private final ArrayDeque<Position> ahead = new ArrayDeque<>();
  /** Where the next page to schedule starts; null while an open-ended page is in flight. */
  private Position end;
  private boolean boundaryPending;
  /** The last boundary query found fewer pages than asked: once {@link #ahead} is used up, read open-ended. */
  private boolean nearEnd;
  private boolean finished;
  private boolean handling;
  private boolean failed;
  private Position handedTo;

  private ReadAhead(Reads reads, Position after, int pageSize, Function<List<RecordedEvent>, Future<Void>> handler) {
    this.reads = reads;
    this.pageSize = pageSize;
    this.handler = handler;
    this.end = after;
    this.handedTo = after;
  }

  static Future<Position> run(Reads reads, Position after, int pageSize,
      Function<List<RecordedEvent>, Future<Void>> handler) {
    ReadAhead r = new ReadAhead(reads, after, pageSize, handler);
    synchronized (r) {
      // The first page is read open-ended, so that a short read costs one query; the boundaries are asked for
      // beside it in case the log goes on.
      r.scheduleOpen();
      r.askBoundaries(after);
    }
    return r.done.future();
  }

  private void scheduleOpen() {
    Position from = end;
    end = null;
    nearEnd = false;
    Future<AllEventsPage> page = reads.open(from, pageSize);
    queue.add(new Slot(page));
    page.onComplete(ar -> {
      synchronized (this) {
        if (ar.succeeded()) {
          if (ar.result().events().size() < pageSize) {
            finished = true;
          } else {
            end = ar.result().last();
            while (!ahead.isEmpty() && ahead.peek().compareTo(end) <= 0) {
              ahead.poll();
            }
            pump();
          }
        }
      }
      drain();
    });
  }

  private void askBoundaries(Position from) {
    boundaryPending = true;
    reads.boundaries(from, pageSize, BOUNDARIES).onComplete(ar -> {
      synchronized (this) {
        boundaryPending = false;
        if (ar.failed()) {
          fail(ar.cause());
          return;
        }
        List<Position> found = ar.result();
        if (found.size() < BOUNDARIES) {
          nearEnd = true;
        }
        for (Position b : found) {
          boolean afterEnd = end == null || b.compareTo(end) > 0;
          boolean afterAhead = ahead.isEmpty() || b.compareTo(ahead.peekLast()) > 0;
          if (afterEnd && afterAhead) {
            ahead.add(b);
          }
        }
        pump();
      }
    });
  }

  /** Schedules page queries while the window has room and their starts are known. Holds the lock. */
  private void pump() {
    while (!finished && !failed && end != null && queue.size() < WINDOW) {
      if (!ahead.isEmpty()) {
        Position from = end;
        Position upTo = ahead.poll();
        end = upTo;
        Future<AllEventsPage> page = reads.closed(from, upTo);
        queue.add(new Slot(page));
        page.onComplete(ar -> drain());
      } else if (nearEnd) {
        scheduleOpen();
      } else {
        break;
      }
    }
    if (!finished && !failed && !boundaryPending && !nearEnd && end != null && ahead.size() < WINDOW) {
      askBoundaries(ahead.isEmpty() ? end : ahead.peekLast());
    }
  }

  /** Hands the page at the head of the queue to the handler once it is back and the handler is free. */
  private void drain() {
    AllEventsPage page;
    synchronized (this) {
      if (handling || failed) {
        return;
      }
      Slot head = queue.peek();
      if (head == null) {
        if (finished) {
          done.tryComplete(handedTo);
        }
        return;
      }
      if (!head.page().isComplete()) {
        return;
      }
      queue.poll();
      if (head.page().failed()) {
        fail(head.page().cause());
        return;
      }
      page = head.page().result();
      handling = true;
      pump();
    }
    Future<Void> handled = page.events().isEmpty() ? Future.succeededFuture() : handle(page.events());
    handled.onComplete(ar -> {
      synchronized (this) {
        handling = false;
        if (ar.failed()) {
          fail(ar.cause());
          return;
        }
        handedTo = page.last();
      }
      drain();
    });
  }

  private Future<Void> handle(List<RecordedEvent> events) {
    try {
      return handler.apply(events);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void fail(Throwable cause) {
    failed = true;
    done.tryFail(cause);
  }
}
