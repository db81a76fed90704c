package io.songmap.artifacts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Artifacts as files under a root directory: {@code <root>/<tenant>/<jobId>/<name>}, each with a
 * {@code .sha256} sidecar holding its hash, size and write time. A write goes to a temporary file on
 * the same file system, is fsynced and then renamed into place, so a reader never sees half a file.
 * File work runs on a bounded worker pool, never on an event loop.
 */
public final class LocalArtifactStore implements ArtifactStore {
  static final String HASH_SUFFIX = ".sha256";
  private static final String FINISHED = ".finished";
  private static final String TMP = ".tmp";

  private final Vertx vertx;
  private final Path root;
  private final WorkerExecutor io;

  public LocalArtifactStore(Vertx vertx, Path root, int ioThreads) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
    this.io = vertx.createSharedWorkerExecutor("artifact-io", ioThreads);
  }

  public LocalArtifactStore(Vertx vertx, Path root) {
    this(vertx, root, 4);
  }

  public Path root() {
    return root;
  }

  /** The file an artifact lives in (it may not exist). */
  public Path pathOf(ArtifactKey key) {
    Path p = root.resolve(key.tenant()).resolve(key.jobId()).resolve(key.name()).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("key escapes the store: " + key);
    }
    return p;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return io.executeBlocking(work, false);
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, Path file) {
    return blocking(() -> {
      Path tmp = newTemp();
      try (InputStream in = Files.newInputStream(file); FileChannel out = FileChannel.open(tmp,
          StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
        HashingCopy.Copied copied = HashingCopy.drain(in, (chunk, n) -> {
          ByteBuffer bb = ByteBuffer.wrap(chunk, 0, n);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
        });
        out.force(true);
        return commit(key, tmp, copied.sha256(), copied.size());
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
    });
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, Buffer bytes) {
    return blocking(() -> {
      Path tmp = newTemp();
      byte[] data = bytes.getBytes();
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        out.force(true);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      return commit(key, tmp, HashingCopy.sha256Hex(data), data.length);
    });
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, ReadStream<Buffer> body, long maxBytes) {
    body.pause();
    return blocking(this::newTemp).compose(tmp -> HashingCopy.toFile(vertx, body, tmp, maxBytes, true)
        .compose(copied -> blocking(() -> commit(key, tmp, copied.sha256(), copied.size())))
        .recover(err -> blocking(() -> Files.deleteIfExists(tmp)).otherwiseEmpty()
            .compose(v -> Future.<ArtifactInfo>failedFuture(err))));
  }

  private Path newTemp() throws IOException {
    Path dir = root.resolve(TMP);
    Files.createDirectories(dir);
    return dir.resolve(UUID.randomUUID() + ".part");
  }

  /** Moves a complete, fsynced temporary file into place and writes its sidecar the same way. */
  private ArtifactInfo commit(ArtifactKey key, Path tmp, String sha256, long size) throws IOException {
    Path target = pathOf(key);
    Files.createDirectories(target.getParent());
    Instant now = Instant.now();
    Path sideTmp = newTemp();
    Files.writeString(sideTmp, sha256 + " " + size + " " + now.toEpochMilli() + "\n", StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    move(tmp, target);
    move(sideTmp, sidecar(target));
    fsyncDir(target.getParent());
    return new ArtifactInfo(key, size, sha256, now);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Not every file system lets a directory be opened for fsync; the rename itself is atomic.
    }
  }

  private static Path sidecar(Path file) {
    return file.resolveSibling(file.getFileName() + HASH_SUFFIX);
  }

  @Override
  public Future<Optional<ArtifactInfo>> stat(ArtifactKey key) {
    return blocking(() -> statBlocking(key));
  }

  private Optional<ArtifactInfo> statBlocking(ArtifactKey key) throws IOException {
    Path file = pathOf(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Path side = sidecar(file);
    if (Files.isRegularFile(side)) {
      String[] f = Files.readString(side, StandardCharsets.US_ASCII).trim().split(" ");
      return Optional.of(new ArtifactInfo(key, Long.parseLong(f[1]), f[0], Instant.ofEpochMilli(Long.parseLong(f[2]))));
    }
    // The content was renamed into place but the process died before its sidecar: hash it again.
    String sha256;
    try (InputStream in = Files.newInputStream(file)) {
      sha256 = HashingCopy.drain(in, (chunk, n) -> {}).sha256();
    }
    return Optional.of(new ArtifactInfo(key, Files.size(file), sha256,
        Files.getLastModifiedTime(file).toInstant()));
  }

  @Override
  public Future<Buffer> read(ArtifactKey key) {
    return blocking(() -> {
      try {
        return Buffer.buffer(Files.readAllBytes(pathOf(key)));
      } catch (NoSuchFileException e) {
        throw new ArtifactNotFound(key);
      }
    });
  }

  @Override
  public Future<Path> localFile(ArtifactKey key) {
    return blocking(() -> {
      Path p = pathOf(key);
      if (!Files.isRegularFile(p)) {
        throw new ArtifactNotFound(key);
      }
      return p;
    });
  }

  @Override
  public Future<List<ArtifactInfo>> list(String tenant, String jobId) {
    return blocking(() -> {
      Path dir = root.resolve(tenant).resolve(jobId).normalize();
      List<ArtifactInfo> out = new ArrayList<>();
      if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
        return out;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
          String name = dir.relativize(p).toString().replace('\\', '/');
          if (name.endsWith(HASH_SUFFIX) || name.startsWith(".") || name.contains("/.")) {
            continue;
          }
          statBlocking(new ArtifactKey(tenant, jobId, name)).ifPresent(out::add);
        }
      }
      return out;
    });
  }

  @Override
  public Future<Void> deleteJob(String tenant, String jobId) {
    return blocking(() -> {
      deleteTree(root.resolve(tenant).resolve(jobId).normalize());
      return null;
    });
  }

  private void deleteTree(Path dir) throws IOException {
    FileTrees.deleteUnder(root, dir);
  }

  @Override
  public Future<Void> markFinished(String tenant, String jobId, Instant at) {
    return blocking(() -> {
      Path dir = root.resolve(tenant).resolve(jobId).normalize();
      Files.createDirectories(dir);
      Path tmp = newTemp();
      Files.writeString(tmp, at.toString(), StandardCharsets.US_ASCII);
      move(tmp, dir.resolve(FINISHED));
      return null;
    });
  }

  @Override
  public Future<Integer> sweep(Instant now, Duration ttl) {
    Instant cutoff = now.minus(ttl);
    return blocking(() -> {
      int removed = 0;
      if (!Files.isDirectory(root)) {
        return 0;
      }
      try (DirectoryStream<Path> tenants = Files.newDirectoryStream(root, Files::isDirectory)) {
        for (Path tenant : tenants) {
          if (tenant.getFileName().toString().startsWith(".")) {
            continue;
          }
          try (DirectoryStream<Path> jobs = Files.newDirectoryStream(tenant, Files::isDirectory)) {
            for (Path job : jobs) {
              Path marker = job.resolve(FINISHED);
              if (Files.isRegularFile(marker)
                  && Instant.parse(Files.readString(marker, StandardCharsets.US_ASCII).trim()).isBefore(cutoff)) {
                deleteTree(job);
                removed++;
              }
            }
          }
        }
      }
      return removed;
    });
  }
}
