package io.songmap.artifacts;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where an artifact lives: {@code <tenant>/<jobId>/<name>}, where {@code name} may have folders
 * ({@code stems/drums.wav}). Every part is checked so that no key can reach outside its job's folder.
 */
public record ArtifactKey(String tenant, String jobId, String name) {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public ArtifactKey {
    requireSegment(tenant, "tenant");
    requireSegment(jobId, "jobId");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > 512) {
      throw new IllegalArgumentException("artifact name must have 1..512 characters");
    }
    for (String part : name.split("/", -1)) {
      requireSegment(part, "artifact name part");
      if (part.endsWith(LocalArtifactStore.HASH_SUFFIX) || part.startsWith(".")) {
        throw new IllegalArgumentException("artifact name part is reserved: " + part);
      }
    }
  }

  private static void requireSegment(String s, String what) {
    if (s == null || !SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
      throw new IllegalArgumentException(what + " must match " + SEGMENT.pattern() + ": " + s);
    }
  }

  /** The key as one string, {@code tenant/jobId/name}. */
  public String path() {
    return tenant + "/" + jobId + "/" + name;
  }

  /** The folder of a job's artifacts, {@code tenant/jobId/}, after checking both parts. */
  static String jobPrefix(String tenant, String jobId) {
    requireSegment(tenant, "tenant");
    requireSegment(jobId, "jobId");
    return tenant + "/" + jobId + "/";
  }

  /** Parses {@code tenant/jobId/name}. */
  public static ArtifactKey parse(String path) {
    String[] parts = path.split("/", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("artifact key must be tenant/jobId/name: " + path);
    }
    return new ArtifactKey(parts[0], parts[1], parts[2]);
  }

  @Override
  public String toString() {
    return path();
  }
}
