package io.songmap.eventstore;

import java.util.List;

/**
 * Events of one stream in version order. {@code streamVersion} is the version of the stream's last event (0 when
 * the stream does not exist, or is archived and was not asked for).
 */
public record StreamSlice(String tenant, String streamId, long streamVersion, boolean archived,
    List<RecordedEvent> events) {
}
