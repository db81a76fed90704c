package io.songmap.eventstore;

/** An append's expected version did not match: someone else appended first. */
public final class WrongExpectedVersion extends EventStoreException {
  private final String tenant;
  private final String streamId;
  private final ExpectedVersion expected;
  private final long actualVersion;

  public WrongExpectedVersion(String tenant, String streamId, ExpectedVersion expected, long actualVersion) {
    super("stream " + tenant + "/" + streamId + ": expected " + expected + ", actual version " + actualVersion);
    this.tenant = tenant;
    this.streamId = streamId;
    this.expected = expected;
    this.actualVersion = actualVersion;
  }

  public String tenant() {
    return tenant;
  }

  public String streamId() {
    return streamId;
  }

  public ExpectedVersion expected() {
    return expected;
  }

  /** The stream's version when the append was refused (0: no such stream). */
  public long actualVersion() {
    return actualVersion;
  }
}
