package io.songmap.eventstore;

/**
 * The outcome of a successful append: the stream's version afterwards, and whether anything was written
 * ({@code false} when the same events were already there).
 */
public record AppendResult(long streamVersion, boolean written) {

  /** What to pass as the expected version of the next append to this stream. */
  public ExpectedVersion nextExpected() {
    return ExpectedVersion.exactly(streamVersion);
  }
}
