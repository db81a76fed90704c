package io.songmap.eventstore.upcast;

import io.songmap.eventstore.RecordedEvent;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The upcasters of a store, by (type, schema version). An event is upcast step by step until no upcaster takes
 * its version; events with no upcaster for their version pass through without being parsed.
 */
public final class Upcasters {
  public static final Upcasters NONE = new Upcasters(List.of());

  private final Map<String, Map<Integer, Upcaster>> byType = new HashMap<>();

  public Upcasters(List<Upcaster> upcasters) {
    for (Upcaster u : upcasters) {
      Upcaster previous = byType.computeIfAbsent(u.type(), t -> new HashMap<>()).put(u.fromVersion(), u);
      if (previous != null) {
        throw new IllegalArgumentException("two upcasters for " + u.type() + " v" + u.fromVersion());
      }
    }
  }

  public static Upcasters of(Upcaster... upcasters) {
    return new Upcasters(List.of(upcasters));
  }

  public RecordedEvent apply(RecordedEvent event) {
    Map<Integer, Upcaster> steps = byType.get(event.type());
    if (steps == null) {
      return event;
    }
    Upcaster step = steps.get(event.schemaVersion());
    if (step == null) {
      return event;
    }
    JsonObject data = event.dataJson();
    JsonObject meta = event.metaJson();
    int version = event.schemaVersion();
    while (step != null) {
      data = step.upcast(data, meta);
      version++;
      step = steps.get(version);
    }
    return event.withData(version, data.encode(), event.meta());
  }
}
