package io.songmap.eventstore;

import java.util.Set;

/**
 * Which events a global read returns: of one tenant or all ({@code null}), of some types or all (empty), and
 * whether events of archived streams are included.
 */
public record EventFilter(String tenant, Set<String> types, boolean includeArchived) {

  public static final EventFilter ALL = new EventFilter(null, Set.of(), false);

  public EventFilter {
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  public static EventFilter types(String... types) {
    return new EventFilter(null, Set.of(types), false);
  }

  public EventFilter forTenant(String tenant) {
    return new EventFilter(tenant, types, includeArchived);
  }

  public EventFilter withArchived() {
    return new EventFilter(tenant, types, true);
  }
}
