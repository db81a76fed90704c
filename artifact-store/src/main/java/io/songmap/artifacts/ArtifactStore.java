package io.songmap.artifacts;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Large results (source audio, decoded audio, stems, exports) by key, each with its content hash.
 * Writes are atomic: a reader sees the whole artifact or none. Events carry keys and hashes, never
 * the bytes. All methods are non-blocking; implementations do their I/O on a bounded worker pool.
 */
public interface ArtifactStore {

  /** Stores the content of a local file. */
  Future<ArtifactInfo> put(ArtifactKey key, Path file);

  /** Stores bytes held in memory (small artifacts: JSON, MIDI, MusicXML). */
  Future<ArtifactInfo> put(ArtifactKey key, Buffer bytes);

  /**
   * Stores a stream (an HTTP upload) without holding it in memory; fails with {@link
   * ArtifactTooLarge} and stores nothing once more than {@code maxBytes} arrive.
   */
  Future<ArtifactInfo> put(ArtifactKey key, ReadStream<Buffer> body, long maxBytes);

  Future<Optional<ArtifactInfo>> stat(ArtifactKey key);

  /** The whole artifact in memory; fails with {@link ArtifactNotFound}. */
  Future<Buffer> read(ArtifactKey key);

  /**
   * A local file with the artifact's content, for code that needs a path (decoders). The file must
   * be treated as read-only; fails with {@link ArtifactNotFound}.
   */
  Future<Path> localFile(ArtifactKey key);

  /** Every artifact of a job, by name. */
  Future<List<ArtifactInfo>> list(String tenant, String jobId);

  /** Removes every artifact of a job. */
  Future<Void> deleteJob(String tenant, String jobId);

  /** Records that a job ended at {@code at}; {@link #sweep} removes its artifacts once they expire. */
  Future<Void> markFinished(String tenant, String jobId, Instant at);

  /** Deletes the artifacts of every job that ended before {@code now - ttl}; returns how many jobs. */
  Future<Integer> sweep(Instant now, Duration ttl);
}
