package io.songmap.eventstore;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * An append-only store of events grouped in streams. A stream is identified by a tenant and a stream id and
 * numbered from version 1; all streams together form the global log, read in {@link Position} order.
 */
public interface EventStore {

  /**
   * Appends {@code events} to a stream if its current version matches {@code expected}. Fails with
   * {@link WrongExpectedVersion} (carrying the actual version) when it does not, with {@link StreamArchived} when
   * the stream is archived and with {@link DuplicateEvent} when an event id is already used elsewhere.
   * Re-appending events that are already in the stream at that place succeeds and writes nothing.
   */
  Future<AppendResult> append(String tenant, String streamId, ExpectedVersion expected, List<NewEvent> events);

  /** Up to {@code maxCount} events of a stream, from version {@code fromVersion} on, upcast. */
  Future<StreamSlice> readStream(String tenant, String streamId, long fromVersion, int maxCount, ReadOptions options);

  /** The whole stream from {@code fromVersion}; an archived stream reads as empty. */
  default Future<StreamSlice> readStream(String tenant, String streamId, long fromVersion) {
    return readStream(tenant, streamId, fromVersion, Integer.MAX_VALUE, ReadOptions.DEFAULT);
  }

  /**
   * One page of the global log after {@code after}, in (tx, global_pos) order. Only events whose transaction is
   * older than every transaction still running are returned, so a reader that moves its cursor to the end of each
   * page never skips an event that commits later.
   */
  Future<AllEventsPage> readAll(Position after, EventFilter filter, int maxCount);

  /**
   * Reads the global log after {@code after} page by page, handing each page to {@code pageHandler} and waiting for
   * its future before reading the next, until a page comes back short of {@code pageSize}. Returns the position
   * of the last event handed over ({@code after} when none).
   */
  default Future<Position> forEachPage(Position after, EventFilter filter, int pageSize,
      Function<List<RecordedEvent>, Future<Void>> pageHandler) {
    return readAll(after, filter, pageSize).compose(page -> {
      if (page.events().isEmpty()) {
        return Future.succeededFuture(after);
      }
      return pageHandler.apply(page.events()).compose(v -> page.events().size() < pageSize
          ? Future.succeededFuture(page.last())
          : forEachPage(page.last(), filter, pageSize, pageHandler));
    });
  }

  /** Hides a stream from reads (unless asked for) and refuses further appends. Its rows stay as they are. */
  Future<Void> archive(String tenant, String streamId);
}
