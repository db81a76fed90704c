package io.songmap.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link ArtifactStore} must do; each implementation's test extends this. */
abstract class ArtifactStoreConformance {
  protected Vertx vertx;
  protected ArtifactStore store;
  @TempDir
  Path scratch;

  protected abstract ArtifactStore create(Vertx vertx) throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    store = create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void storesBytesWithTheirHashAndReadsThemBack() throws Exception {
    byte[] data = "{\"schema\":\"songmap/v1\"}".getBytes();
    ArtifactKey key = new ArtifactKey("acme", "job-1", "songmap.json");
    ArtifactInfo info = await(store.put(key, Buffer.buffer(data)));
    assertThat(info.sha256()).isEqualTo(sha256(data));
    assertThat(info.size()).isEqualTo(data.length);
    assertThat(await(store.read(key)).getBytes()).isEqualTo(data);
    assertThat(await(store.stat(key))).get().extracting(ArtifactInfo::sha256).isEqualTo(sha256(data));
  }

  @Test
  void storesAFileUnderANestedName() throws Exception {
    byte[] data = random(300_000, 1);
    Path f = scratch.resolve("in.bin");
    Files.write(f, data);
    ArtifactKey key = new ArtifactKey("acme", "job-1", "stems/drums.wav");
    ArtifactInfo info = await(store.put(key, f));
    assertThat(info.sha256()).isEqualTo(sha256(data));
    assertThat(Files.readAllBytes(await(store.localFile(key)))).isEqualTo(data);
  }

  @Test
  void streamsAnUploadWithoutHoldingIt() throws Exception {
    byte[] data = random(3_000_000, 2);
    Path f = scratch.resolve("upload.bin");
    Files.write(f, data);
    ArtifactKey key = new ArtifactKey("acme", "job-2", "source.mp3");
    var stream = await(vertx.fileSystem().open(f.toString(), new OpenOptions().setRead(true)));
    ArtifactInfo info = await(store.put(key, stream, 10_000_000));
    assertThat(info.size()).isEqualTo(data.length);
    assertThat(info.sha256()).isEqualTo(sha256(data));
    assertThat(await(store.read(key)).getBytes()).isEqualTo(data);
  }

  @Test
  void anUploadOverTheLimitStoresNothing() throws Exception {
    Path f = scratch.resolve("big.bin");
    Files.write(f, random(2_000_000, 3));
    ArtifactKey key = new ArtifactKey("acme", "job-3", "source.mp3");
    var stream = await(vertx.fileSystem().open(f.toString(), new OpenOptions().setRead(true)));
    assertThatThrownBy(() -> await(store.put(key, stream, 1_000_000))).isInstanceOf(ArtifactTooLarge.class);
    assertThat(await(store.stat(key))).isEmpty();
    assertThat(await(store.list("acme", "job-3"))).isEmpty();
  }

  @Test
  void aMissingArtifactIsNotFound() throws Exception {
    ArtifactKey key = new ArtifactKey("acme", "nope", "x.json");
    assertThat(await(store.stat(key))).isEmpty();
    assertThatThrownBy(() -> await(store.read(key))).isInstanceOf(ArtifactNotFound.class);
  }

  @Test
  void readersSeeOneWholeVersionWhileWritersReplaceIt() throws Exception {
    byte[] a = random(1_000_000, 4);
    byte[] b = random(1_000_000, 5);
    ArtifactKey key = new ArtifactKey("acme", "job-4", "stems/vocals.wav");
    await(store.put(key, Buffer.buffer(a)));
    List<Future<?>> work = new ArrayList<>();
    List<Future<Buffer>> reads = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      work.add(store.put(key, Buffer.buffer(i % 2 == 0 ? b : a)));
      Future<Buffer> r = store.read(key);
      reads.add(r);
      work.add(r);
    }
    await(Future.join(work));
    String ha = sha256(a);
    String hb = sha256(b);
    for (Future<Buffer> r : reads) {
      assertThat(sha256(r.result().getBytes())).isIn(ha, hb);
    }
  }

  @Test
  void listsAndDeletesAJob() throws Exception {
    await(store.put(new ArtifactKey("acme", "job-5", "a.json"), Buffer.buffer("1")));
    await(store.put(new ArtifactKey("acme", "job-5", "stems/b.wav"), Buffer.buffer("22")));
    await(store.put(new ArtifactKey("other", "job-5", "a.json"), Buffer.buffer("333")));
    assertThat(await(store.list("acme", "job-5"))).extracting(i -> i.key().name())
        .containsExactlyInAnyOrder("a.json", "stems/b.wav");
    await(store.deleteJob("acme", "job-5"));
    assertThat(await(store.list("acme", "job-5"))).isEmpty();
    assertThat(await(store.list("other", "job-5"))).hasSize(1);
  }

  @Test
  void sweepsJobsThatEndedLongerAgoThanTheTtl() throws Exception {
    Instant now = Instant.parse("2026-11-23T12:00:00Z");
    await(store.put(new ArtifactKey("acme", "old", "a.json"), Buffer.buffer("1")));
    await(store.put(new ArtifactKey("acme", "recent", "a.json"), Buffer.buffer("1")));
    await(store.put(new ArtifactKey("acme", "running", "a.json"), Buffer.buffer("1")));
    await(store.markFinished("acme", "old", now.minus(Duration.ofHours(25))));
    await(store.markFinished("acme", "recent", now.minus(Duration.ofHours(1))));
    assertThat(await(store.sweep(now, Duration.ofHours(24)))).isEqualTo(1);
    assertThat(await(store.list("acme", "old"))).isEmpty();
    assertThat(await(store.list("acme", "recent"))).hasSize(1);
    assertThat(await(store.list("acme", "running"))).hasSize(1);
  }

  @Test
  void keysCannotEscapeTheirJob() {
    assertThatThrownBy(() -> new ArtifactKey("acme", "job", "../other/x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArtifactKey("..", "job", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArtifactKey("acme", "job", "/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    assertThat(ArtifactKey.parse("acme/job/stems/drums.wav").name()).isEqualTo("stems/drums.wav");
  }
}
