package io.songmap.eventstore;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to append. {@code data} and {@code meta} are JSON object texts (meta: correlation id, causation id,
 * trace context); the store passes them to PostgreSQL as they are.
 */
public record NewEvent(UUID eventId, String type, int schemaVersion, String data, String meta) {
  public NewEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("schemaVersion starts at 1, was " + schemaVersion);
    }
    if (meta == null) {
      meta = "{}";
    }
  }

  public static NewEvent of(UUID eventId, String type, int schemaVersion, JsonObject data, JsonObject meta) {
    return new NewEvent(eventId, type, schemaVersion, data.encode(), meta == null ? "{}" : meta.encode());
  }

  public static NewEvent of(String type, JsonObject data) {
    return of(UUID.randomUUID(), type, 1, data, null);
  }
}
