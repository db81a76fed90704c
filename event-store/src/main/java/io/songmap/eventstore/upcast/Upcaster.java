package io.songmap.eventstore.upcast;

import io.vertx.core.json.JsonObject;

/**
 * Turns the data of one event type from schema version {@code fromVersion()} into {@code fromVersion() + 1}.
 * Applied on read; stored rows are never rewritten.
 */
public interface Upcaster {

  String type();

  int fromVersion();

  JsonObject upcast(JsonObject data, JsonObject meta);

  static Upcaster of(String type, int fromVersion, java.util.function.BiFunction<JsonObject, JsonObject, JsonObject> f) {
    return new Upcaster() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public int fromVersion() {
        return fromVersion;
      }

      @Override
      public JsonObject upcast(JsonObject data, JsonObject meta) {
        return f.apply(data, meta);
      }
    };
  }
}
