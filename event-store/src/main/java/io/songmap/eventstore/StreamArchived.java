package io.songmap.eventstore;

/** The stream is archived: it takes no more events. */
public final class StreamArchived extends EventStoreException {
  private final long actualVersion;

  public StreamArchived(String tenant, String streamId, long actualVersion) {
    super("stream " + tenant + "/" + streamId + " is archived at version " + actualVersion);
    this.actualVersion = actualVersion;
  }

  public long actualVersion() {
    return actualVersion;
  }
}
