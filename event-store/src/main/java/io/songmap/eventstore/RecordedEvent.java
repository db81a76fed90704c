package io.songmap.eventstore;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * An event as stored, after upcasting. {@code data} and {@code meta} are JSON object texts; {@link #dataJson()}
 * parses on demand so that readers which only pass events on never pay for parsing.
 */
public record RecordedEvent(Position position, String tenant, String streamId, long version, UUID eventId,
    String type, int schemaVersion, String data, String meta, Instant recordedAt) {

  public JsonObject dataJson() {
    return new JsonObject(data);
  }

  public JsonObject metaJson() {
    return new JsonObject(meta);
  }

  public RecordedEvent withData(int newSchemaVersion, String newData, String newMeta) {
    return new RecordedEvent(position, tenant, streamId, version, eventId, type, newSchemaVersion, newData, newMeta,
        recordedAt);
  }
}
