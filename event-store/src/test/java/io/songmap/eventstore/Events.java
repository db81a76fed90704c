package io.songmap.eventstore;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Small event builders for tests. */
public final class Events {
  private Events() {
  }

  public static NewEvent event(String type, int n) {
    return NewEvent.of(UUID.randomUUID(), type, 1, new JsonObject().put("n", n), new JsonObject().put("corr", "c-" + n));
  }

  public static List<NewEvent> events(String type, int count) {
    List<NewEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(event(type, i));
    }
    return out;
  }
}
