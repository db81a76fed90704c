package io.songmap.artifacts;

/** No artifact under this key. */
public final class ArtifactNotFound extends RuntimeException {
  public ArtifactNotFound(ArtifactKey key) {
    super("no artifact " + key);
  }
}
