package io.songmap.artifacts;

import static io.songmap.artifacts.ArtifactStoreConformance.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoresTest {
  @TempDir
  Path dir;
  Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  @Test
  void theLocalStoreIsTheDefault() {
    assertThat(ArtifactStores.fromEnv(vertx, Map.of(), dir)).isInstanceOf(LocalArtifactStore.class)
        .extracting(s -> ((LocalArtifactStore) s).root()).isEqualTo(dir.toAbsolutePath().normalize());
  }

  @Test
  void s3TalksToTheConfiguredServer() throws Exception {
    FakeS3 s3 = await(FakeS3.start(vertx, 100, "media"));
    Map<String, String> env = new HashMap<>();
    env.put("SONGMAP_ARTIFACTS", "s3");
    env.put("SONGMAP_S3_ENDPOINT", s3.endpoint().toString());
    env.put("SONGMAP_S3_BUCKET", "media");
    env.put("SONGMAP_S3_REGION", "eu-central-1");
    env.put("SONGMAP_S3_ACCESS_KEY", "minio");
    env.put("SONGMAP_S3_SECRET_KEY", "minio-secret");
    ArtifactStore store = ArtifactStores.fromEnv(vertx, env, dir);
    try {
      ArtifactKey key = new ArtifactKey("acme", "j", "songmap.json");
      await(store.put(key, Buffer.buffer("{}")));
      assertThat(s3.keys("media")).containsExactly("acme/j/songmap.json");
      assertThat(await(store.localFile(key))).startsWith(dir.resolve("s3-cache"));
    } finally {
      ((S3ArtifactStore) store).close();
    }
  }

  @Test
  void pathStyleFollowsTheEndpointUnlessSet() {
    Path cache = dir.resolve("c");
    assertThat(S3Settings.fromEnv(Map.of(), cache).pathStyle()).isFalse();
    assertThat(S3Settings.fromEnv(Map.of(), cache).endpoint()).isNull();
    assertThat(S3Settings.fromEnv(Map.of("SONGMAP_S3_ENDPOINT", "http://minio:9000"), cache).pathStyle()).isTrue();
    assertThat(S3Settings.fromEnv(Map.of("SONGMAP_S3_ENDPOINT", "http://minio:9000", "SONGMAP_S3_PATH_STYLE", "false"),
        cache).pathStyle()).isFalse();
    assertThat(S3Settings.fromEnv(Map.of("SONGMAP_S3_TIMEOUT", "15s"), cache).requestTimeout())
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void rejectsSettingsThatCannotWork() {
    Path cache = dir.resolve("c");
    assertThatThrownBy(() -> ArtifactStores.fromEnv(vertx, Map.of("SONGMAP_ARTIFACTS", "ftp"), dir))
        .hasMessageContaining("SONGMAP_ARTIFACTS");
    assertThatThrownBy(() -> S3Settings.fromEnv(Map.of("SONGMAP_S3_ACCESS_KEY", "k"), cache))
        .hasMessageContaining("SONGMAP_S3_SECRET_KEY");
    assertThatThrownBy(() -> S3Settings.fromEnv(Map.of("SONGMAP_S3_BUCKET", "Not_A_Bucket"), cache))
        .hasMessageContaining("SONGMAP_S3_BUCKET");
    assertThatThrownBy(() -> S3Settings.fromEnv(Map.of("SONGMAP_S3_ENDPOINT", "minio:9000"), cache))
        .hasMessageContaining("SONGMAP_S3_ENDPOINT");
    assertThatThrownBy(() -> S3Settings.fromEnv(Map.of("SONGMAP_S3_PATH_STYLE", "yes"), cache))
        .hasMessageContaining("SONGMAP_S3_PATH_STYLE");
    assertThatThrownBy(() -> S3Settings.fromEnv(Map.of("SONGMAP_S3_IO_THREADS", "0"), cache))
        .hasMessageContaining("SONGMAP_S3_IO_THREADS");
  }

  @Test
  void neverPrintsTheSecretKey() {
    S3Settings s = new S3Settings(URI.create("http://minio:9000"), "songmap", "us-east-1", "AKIA", "very-secret", true,
        dir, 2, Duration.ofSeconds(5));
    assertThat(s.toString()).contains("AKIA").doesNotContain("very-secret");
  }
}
