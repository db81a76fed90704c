package io.songmap.eventstore;

import java.util.List;

/** A page of the global log; {@code last} is where the next page starts (the position read after). */
public record AllEventsPage(List<RecordedEvent> events, Position last) {
}
