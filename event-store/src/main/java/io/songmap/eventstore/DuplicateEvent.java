package io.songmap.eventstore;

/** An event id of the append is already used by another event (not an idempotent retry of the same append). */
public final class DuplicateEvent extends EventStoreException {
  public DuplicateEvent(String tenant, String streamId, String detail) {
    super("stream " + tenant + "/" + streamId + ": an event id is already stored elsewhere (" + detail + ")");
  }
}
