package io.songmap.eventstore.subscription;

import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * Hands pages to something outside the database (a message broker), in store order, without waiting for one page
 * to be acknowledged before the next goes out. {@link #send} starts sending a page at once; its future completes
 * once everything sent is acknowledged, with what to write in the transaction that then moves the checkpoint past
 * the page (a {@link PageHandler}, which may write nothing). Checkpoints move in page order. After any failure the
 * subscription starts again from its checkpoint, so a page after it may be sent twice: the receivers must take
 * duplicates.
 */
@FunctionalInterface
public interface PageSender {
  Future<PageHandler> send(List<RecordedEvent> events);
}
