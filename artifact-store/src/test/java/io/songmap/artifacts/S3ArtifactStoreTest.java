package io.songmap.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ArtifactStoreTest extends ArtifactStoreConformance {
  private static final String BUCKET = "songmap-test";
  @TempDir
  Path cache;
  FakeS3 s3;

  @Override
  protected ArtifactStore create(Vertx vertx) throws Exception {
    // Two keys a page, so that every listing has to follow continuation tokens.
    s3 = await(FakeS3.start(vertx, 2, BUCKET));
    return new S3ArtifactStore(vertx, settings(s3, cache));
  }

  static S3Settings settings(FakeS3 s3, Path cache) {
    return new S3Settings(s3.endpoint(), BUCKET, "eu-west-1", "test-access", "test-secret", true, cache, 4,
        Duration.ofSeconds(10));
  }

  @AfterEach
  void closeStore() {
    ((S3ArtifactStore) store).close();
  }

  @Test
  void keepsTheHashAsObjectMetadataUnderTheArtifactKey() throws Exception {
    byte[] data = random(1000, 10);
    await(store.put(new ArtifactKey("acme", "j", "stems/bass.wav"), Buffer.buffer(data)));
    assertThat(s3.keys(BUCKET)).containsExactly("acme/j/stems/bass.wav");
  }

  @Test
  void refusesContentThatDoesNotMatchItsHash() throws Exception {
    ArtifactKey key = new ArtifactKey("acme", "j", "a.json");
    s3.plant(BUCKET, key.path(), "tampered".getBytes(), Map.of("sha256", sha256("original".getBytes())));
    assertThatThrownBy(() -> await(store.read(key))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not match its hash");
    assertThatThrownBy(() -> await(store.localFile(key))).isInstanceOf(IllegalStateException.class);
    try (var left = Files.list(cache.resolve(".tmp"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void hashesAnObjectWrittenByAnotherTool() throws Exception {
    ArtifactKey key = new ArtifactKey("acme", "j", "a.json");
    byte[] data = "{}".getBytes();
    s3.plant(BUCKET, key.path(), data, Map.of());
    assertThat(await(store.stat(key))).get().satisfies(i -> {
      assertThat(i.sha256()).isEqualTo(sha256(data));
      assertThat(i.size()).isEqualTo(2);
    });
    assertThat(await(store.list("acme", "j"))).extracting(ArtifactInfo::sha256).containsExactly(sha256(data));
  }

  @Test
  void anUploadOverTheLimitNeverReachesTheBucket() throws Exception {
    Path f = scratch.resolve("big.bin");
    Files.write(f, random(500_000, 11));
    var stream = await(vertx.fileSystem().open(f.toString(), new OpenOptions().setRead(true)));
    assertThatThrownBy(() -> await(store.put(new ArtifactKey("acme", "j", "source.mp3"), stream, 100_000)))
        .isInstanceOf(ArtifactTooLarge.class);
    assertThat(s3.calls("PutObject")).isZero();
    try (var left = Files.list(cache.resolve(".tmp"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void keepsOneLocalCopyPerVersion() throws Exception {
    ArtifactKey key = new ArtifactKey("acme", "j", "stems/drums.wav");
    byte[] a = random(200_000, 12);
    byte[] b = random(200_000, 13);
    await(store.put(key, Buffer.buffer(a)));
    Path first = await(store.localFile(key));
    assertThat(await(store.localFile(key))).isEqualTo(first);
    assertThat(s3.calls("GetObject")).isEqualTo(1);
    assertThat(first.getFileName().toString()).isEqualTo("drums.wav");

    await(store.put(key, Buffer.buffer(b)));
    Path second = await(store.localFile(key));
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readAllBytes(second)).isEqualTo(b);
    assertThat(Files.readAllBytes(first)).isEqualTo(a);

    await(store.deleteJob("acme", "j"));
    assertThat(first).doesNotExist();
    assertThat(second).doesNotExist();
  }

  @Test
  void listsAndDeletesJobsLargerThanOnePage() throws Exception {
    for (int i = 0; i < 7; i++) {
      await(store.put(new ArtifactKey("acme", "big", "parts/p" + i + ".json"), Buffer.buffer("x" + i)));
    }
    await(store.put(new ArtifactKey("acme", "big2", "a.json"), Buffer.buffer("y")));
    assertThat(await(store.list("acme", "big"))).hasSize(7);
    await(store.deleteJob("acme", "big"));
    assertThat(s3.keys(BUCKET)).containsExactly("acme/big2/a.json");
  }

  @Test
  void aJobThatEndedTwiceCountsFromItsLatestEnd() throws Exception {
    Instant now = Instant.parse("2026-11-23T12:00:00Z");
    await(store.put(new ArtifactKey("acme", "again", "a.json"), Buffer.buffer("1")));
    await(store.markFinished("acme", "again", now.minus(Duration.ofHours(30))));
    await(store.markFinished("acme", "again", now.minus(Duration.ofHours(2))));
    assertThat(await(store.sweep(now, Duration.ofHours(24)))).isZero();
    assertThat(await(store.sweep(now.plus(Duration.ofHours(23)), Duration.ofHours(24)))).isEqualTo(1);
    assertThat(s3.keys(BUCKET)).isEmpty();
  }

  @Test
  void theFakeRequiresASignedRequestAndAnswersWithS3Errors() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    {
      HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(s3.endpoint().resolve("/" + BUCKET + "/acme/j/x"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(unsigned.statusCode()).isEqualTo(403);
      assertThat(unsigned.body()).contains("<Code>AccessDenied</Code>");
      HttpResponse<String> missing = http.send(HttpRequest.newBuilder(s3.endpoint().resolve("/" + BUCKET + "/acme/j/x"))
          .header("Authorization", "AWS4-HMAC-SHA256 Credential=k/20261204/eu-west-1/s3/aws4_request").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).contains("<Code>NoSuchKey</Code>");
    }
  }
}
