package io.songmap.artifacts;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Picks the artifact store named by {@code SONGMAP_ARTIFACTS}. */
public final class ArtifactStores {
  private ArtifactStores() {}

  /**
   * {@code SONGMAP_ARTIFACTS=local} (the default) keeps artifacts under {@code localDir};
   * {@code s3} keeps them in a bucket ({@link S3Settings#fromEnv}) and uses {@code localDir/s3-cache}
   * for local copies.
   */
  public static ArtifactStore fromEnv(Vertx vertx, Map<String, String> env, Path localDir) {
    String kind = env.getOrDefault("SONGMAP_ARTIFACTS", "");
    kind = kind.isBlank() ? "local" : kind.trim().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case "local" -> new LocalArtifactStore(vertx, localDir);
      case "s3" -> new S3ArtifactStore(vertx, S3Settings.fromEnv(env, localDir.resolve("s3-cache")));
      default -> throw new IllegalArgumentException("SONGMAP_ARTIFACTS must be local or s3, was '" + kind + "'");
    };
  }
}
