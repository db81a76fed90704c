package io.songmap.artifacts;

import java.time.Instant;

/** A stored artifact: its key, size in bytes, SHA-256 of its content (lower-case hex) and write time. */
public record ArtifactInfo(ArtifactKey key, long size, String sha256, Instant createdAt) {}
