package io.songmap.artifacts;

/** A streamed write went past its size limit; nothing was stored. */
public final class ArtifactTooLarge extends RuntimeException {
  private final long limitBytes;

  public ArtifactTooLarge(long limitBytes) {
    super("artifact is larger than the limit of " + limitBytes + " bytes");
    this.limitBytes = limitBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }
}
