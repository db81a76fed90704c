package io.songmap.artifacts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts as objects in an S3 bucket (AWS, MinIO, Ceph, any S3-compatible server): the object key
 * is the artifact key, {@code <tenant>/<jobId>/<name>}, and the content's SHA-256 and write time
 * travel as user metadata. A PUT is atomic in S3, so a reader sees the whole artifact or none.
 *
 * <p>Streamed uploads are spooled to a local file first, because S3 wants the length (and this
 * store wants the hash, which goes into the metadata) before the body; nothing reaches the bucket
 * when the limit is passed. {@link #localFile} keeps downloaded copies under the cache folder, one
 * per content hash, so a copy never changes once it is there. That a job has ended is a marker
 * object {@code _finished/<tenant>/<jobId>/<epoch millis>} (a tenant never starts with {@code _}),
 * so a sweep needs one listing and no reads.
 *
 * <p>The SDK's client is blocking; every call runs on this store's bounded worker pool.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
  static final String FINISHED_PREFIX = "_finished/";
  static final String META_SHA256 = "sha256";
  static final String META_CREATED = "created-ms";
  private static final int DELETE_BATCH = 1000;

  private final Vertx vertx;
  private final S3Settings settings;
  private final String bucket;
  private final Path cache;
  private final WorkerExecutor io;
  private S3Client client;
  private boolean closed;

  public S3ArtifactStore(Vertx vertx, S3Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.bucket = settings.bucket();
    this.cache = settings.cacheDir().toAbsolutePath().normalize();
    this.io = vertx.createSharedWorkerExecutor("artifact-s3", settings.ioThreads());
  }

  /**
   * The SDK client, built on first use: building it reads the AWS profile files, which must not
   * happen on the event loop that constructs this store. Called on the worker pool only.
   */
  private synchronized S3Client s3() {
    if (closed) {
      throw new IllegalStateException("the S3 artifact store is closed");
    }
    if (client == null) {
      client = client(settings);
    }
    return client;
  }

  private static S3Client client(S3Settings settings) {
    AwsCredentialsProvider credentials = settings.accessKey() == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(ApacheHttpClient.builder()
            .maxConnections(settings.ioThreads())
            .connectionTimeout(settings.requestTimeout())
            .socketTimeout(settings.requestTimeout()))
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(settings.pathStyle())
        // Content is checked with the SHA-256 this store keeps; the SDK's own checksums would send
        // bodies in the aws-chunked encoding with trailers, which many S3-compatible servers reject.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return io.executeBlocking(work, false);
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, Path file) {
    return blocking(() -> {
      HashingCopy.Copied copied;
      try (InputStream in = Files.newInputStream(file)) {
        copied = HashingCopy.drain(in, (chunk, n) -> {});
      }
      return upload(key, RequestBody.fromFile(file), copied);
    });
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, Buffer bytes) {
    return blocking(() -> {
      byte[] data = bytes.getBytes();
      return upload(key, RequestBody.fromBytes(data), new HashingCopy.Copied(HashingCopy.sha256Hex(data), data.length));
    });
  }

  @Override
  public Future<ArtifactInfo> put(ArtifactKey key, ReadStream<Buffer> body, long maxBytes) {
    body.pause();
    return blocking(this::newTemp).compose(tmp -> HashingCopy.toFile(vertx, body, tmp, maxBytes, false)
        .compose(copied -> blocking(() -> upload(key, RequestBody.fromFile(tmp), copied)))
        .eventually(() -> blocking(() -> Files.deleteIfExists(tmp)).otherwiseEmpty()));
  }

  private ArtifactInfo upload(ArtifactKey key, RequestBody body, HashingCopy.Copied content) {
    Instant now = Instant.now();
    s3().putObject(b -> b.bucket(bucket).key(key.path()).contentLength(content.size())
        .metadata(Map.of(META_SHA256, content.sha256(), META_CREATED, Long.toString(now.toEpochMilli()))), body);
    return new ArtifactInfo(key, content.size(), content.sha256(), now);
  }

  private Path newTemp() throws IOException {
    Path dir = cache.resolve(".tmp");
    Files.createDirectories(dir);
    return dir.resolve(UUID.randomUUID() + ".part");
  }

  @Override
  public Future<Optional<ArtifactInfo>> stat(ArtifactKey key) {
    return blocking(() -> {
      Optional<HeadObjectResponse> head = head(key);
      if (head.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(info(key, head.get().contentLength(), head.get().metadata(), head.get().lastModified()));
    });
  }

  private Optional<HeadObjectResponse> head(ArtifactKey key) {
    try {
      return Optional.of(s3().headObject(b -> b.bucket(bucket).key(key.path())));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The artifact described by an object's metadata; an object written by other tools is hashed here. */
  private ArtifactInfo info(ArtifactKey key, long size, Map<String, String> metadata, Instant lastModified)
      throws IOException {
    String sha256 = metadata.get(META_SHA256);
    if (sha256 == null) {
      try (InputStream in = get(key)) {
        sha256 = HashingCopy.drain(in, (chunk, n) -> {}).sha256();
      }
    }
    String created = metadata.get(META_CREATED);
    Instant createdAt = lastModified;
    if (created != null && created.chars().allMatch(Character::isDigit) && !created.isEmpty()) {
      createdAt = Instant.ofEpochMilli(Long.parseLong(created));
    }
    return new ArtifactInfo(key, size, sha256, createdAt);
  }

  private ResponseInputStream<GetObjectResponse> get(ArtifactKey key) {
    try {
      return s3().getObject(b -> b.bucket(bucket).key(key.path()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new ArtifactNotFound(key);
      }
      throw e;
    }
  }

  @Override
  public Future<Buffer> read(ArtifactKey key) {
    return blocking(() -> {
      ResponseBytes<GetObjectResponse> bytes;
      try {
        bytes = s3().getObjectAsBytes(b -> b.bucket(bucket).key(key.path()));
      } catch (S3Exception e) {
        if (e.statusCode() == 404) {
          throw new ArtifactNotFound(key);
        }
        throw e;
      }
      byte[] data = bytes.asByteArrayUnsafe();
      requireHash(key, bytes.response().metadata().get(META_SHA256), HashingCopy.sha256Hex(data));
      return Buffer.buffer(data);
    });
  }

  private static void requireHash(ArtifactKey key, String expected, String actual) {
    if (expected != null && !expected.equals(actual)) {
      throw new IllegalStateException("the content of " + key + " does not match its hash: expected " + expected
          + ", read " + actual);
    }
  }

  @Override
  public Future<Path> localFile(ArtifactKey key) {
    return blocking(() -> {
      HeadObjectResponse head = head(key).orElseThrow(() -> new ArtifactNotFound(key));
      String sha256 = head.metadata().get(META_SHA256);
      if (sha256 != null && Files.isRegularFile(cached(key, sha256))) {
        return cached(key, sha256);
      }
      Path tmp = newTemp();
      try {
        HashingCopy.Copied copied;
        String expected;
        try (ResponseInputStream<GetObjectResponse> in = get(key); OutputStream out = Files.newOutputStream(tmp)) {
          expected = in.response().metadata().get(META_SHA256);
          copied = HashingCopy.drain(in, (chunk, n) -> out.write(chunk, 0, n));
        }
        requireHash(key, expected, copied.sha256());
        Path target = cached(key, copied.sha256());
        Files.createDirectories(target.getParent());
        moveIntoPlace(tmp, target);
        return target;
      } finally {
        Files.deleteIfExists(tmp);
      }
    });
  }

  /** Where the copy of one version of an artifact lives: its name is kept, decoders look at it. */
  private Path cached(ArtifactKey key, String sha256) {
    Path p = jobCache(key.tenant(), key.jobId()).resolve(sha256).resolve(key.name()).normalize();
    if (!p.startsWith(cache)) {
      throw new IllegalArgumentException("key escapes the cache: " + key);
    }
    return p;
  }

  private Path jobCache(String tenant, String jobId) {
    return cache.resolve(tenant).resolve(jobId);
  }

  private static void moveIntoPlace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      // Another caller fetched the same content first; its copy is identical.
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public Future<List<ArtifactInfo>> list(String tenant, String jobId) {
    return blocking(() -> {
      String prefix = ArtifactKey.jobPrefix(tenant, jobId);
      List<ArtifactInfo> out = new ArrayList<>();
      for (S3Object o : objects(prefix)) {
        ArtifactKey key;
        try {
          key = new ArtifactKey(tenant, jobId, o.key().substring(prefix.length()));
        } catch (IllegalArgumentException e) {
          continue; // written by something else under this prefix: not an artifact
        }
        Optional<HeadObjectResponse> head = head(key);
        if (head.isPresent()) {
          out.add(info(key, head.get().contentLength(), head.get().metadata(), head.get().lastModified()));
        }
      }
      return out;
    });
  }

  private List<S3Object> objects(String prefix) {
    List<S3Object> all = new ArrayList<>();
    s3().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().forEach(all::add);
    return all;
  }

  @Override
  public Future<Void> deleteJob(String tenant, String jobId) {
    return blocking(() -> {
      deleteJobBlocking(tenant, jobId);
      return null;
    });
  }

  private void deleteJobBlocking(String tenant, String jobId) throws IOException {
    String prefix = ArtifactKey.jobPrefix(tenant, jobId);
    List<String> keys = new ArrayList<>();
    objects(prefix).forEach(o -> keys.add(o.key()));
    // The markers go last, so a sweep that is cut short finds the job again next time.
    objects(FINISHED_PREFIX + prefix).forEach(o -> keys.add(o.key()));
    for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
      List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH)).stream()
          .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      DeleteObjectsResponse r = s3().deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
      if (r.hasErrors() && !r.errors().isEmpty()) {
        throw new IOException("could not delete " + r.errors().size() + " object(s) of " + prefix + ", first: "
            + r.errors().get(0).key() + " " + r.errors().get(0).code());
      }
    }
    deleteTree(jobCache(tenant, jobId));
  }

  private void deleteTree(Path dir) throws IOException {
    FileTrees.deleteUnder(cache, dir);
  }

  @Override
  public Future<Void> markFinished(String tenant, String jobId, Instant at) {
    return blocking(() -> {
      String key = FINISHED_PREFIX + ArtifactKey.jobPrefix(tenant, jobId) + at.toEpochMilli();
      s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(at.toString(), StandardCharsets.US_ASCII));
      return null;
    });
  }

  @Override
  public Future<Integer> sweep(Instant now, Duration ttl) {
    long cutoff = now.minus(ttl).toEpochMilli();
    return blocking(() -> {
      // A job marked more than once (it was reprocessed) counts from its latest end.
      Map<String, Long> endedAt = new HashMap<>();
      for (S3Object o : objects(FINISHED_PREFIX)) {
        String[] parts = o.key().substring(FINISHED_PREFIX.length()).split("/");
        if (parts.length == 3 && isJob(parts[0], parts[1]) && !parts[2].isEmpty()
            && parts[2].chars().allMatch(Character::isDigit)) {
          endedAt.merge(parts[0] + "/" + parts[1], Long.parseLong(parts[2]), Math::max);
        }
      }
      int removed = 0;
      for (Map.Entry<String, Long> job : endedAt.entrySet()) {
        if (job.getValue() < cutoff) {
          String[] tj = job.getKey().split("/");
          deleteJobBlocking(tj[0], tj[1]);
          removed++;
        }
      }
      return removed;
    });
  }

  private static boolean isJob(String tenant, String jobId) {
    try {
      ArtifactKey.jobPrefix(tenant, jobId);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Closes the HTTP client and hands back this store's share of the worker pool. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (client != null) {
        client.close();
      }
    }
    io.close();
  }
}
