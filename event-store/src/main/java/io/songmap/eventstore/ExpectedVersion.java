package io.songmap.eventstore;

/** What the caller believes the stream's version to be when it appends. */
public sealed interface ExpectedVersion {

  /** Appends whatever the current version is. */
  ExpectedVersion ANY = new Any();

  /** The stream must not exist yet. */
  ExpectedVersion NO_STREAM = new NoStream();

  static ExpectedVersion exactly(long version) {
    return version == 0 ? NO_STREAM : new Exact(version);
  }

  /** The code the append statement understands: -1 any, 0 no stream, n exactly n. */
  long code();

  record Any() implements ExpectedVersion {
    @Override
    public long code() {
      return -1;
    }
  }

  record NoStream() implements ExpectedVersion {
    @Override
    public long code() {
      return 0;
    }
  }

  /** The stream's last event has exactly this version (versions start at 1). */
  record Exact(long version) implements ExpectedVersion {
    public Exact {
      if (version < 1) {
        throw new IllegalArgumentException("an exact expected version is at least 1 (use NO_STREAM), was " + version);
      }
    }

    @Override
    public long code() {
      return version;
    }
  }
}
