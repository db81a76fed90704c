package io.songmap.eventstore;

import java.util.List;

/**
 * A page of the global log; {@code last} is where the next page starts (the position read after).
 *
 * <p>{@code heldBack} tells a reader that follows the log whether to look again soon: true when events committed
 * after the page's fence exist (an older transaction was still running, so the read stopped short of them), or when
 * the read could not tell. False means that everything committed when the page was read has been returned up to
 * its end or lies beyond it in the page's order: nothing more can be read until someone appends again.
 */
public record AllEventsPage(List<RecordedEvent> events, Position last, boolean heldBack) {

  /** A page read without looking past its fence: a follower should assume that more may come soon. */
  public AllEventsPage(List<RecordedEvent> events, Position last) {
    this(events, last, true);
  }
}
