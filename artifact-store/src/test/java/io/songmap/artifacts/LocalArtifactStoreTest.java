package io.songmap.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest extends ArtifactStoreConformance {
  @TempDir
  Path root;

  @Override
  protected ArtifactStore create(Vertx vertx) {
    return new LocalArtifactStore(vertx, root);
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws Exception {
    await(store.put(new ArtifactKey("acme", "j", "a.json"), Buffer.buffer("x")));
    try (var s = Files.list(root.resolve(".tmp"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void rehashesContentWhoseSidecarWasLost() throws Exception {
    ArtifactKey key = new ArtifactKey("acme", "j", "a.json");
    ArtifactInfo info = await(store.put(key, Buffer.buffer("hello")));
    Files.delete(root.resolve("acme/j/a.json.sha256"));
    assertThat(await(store.stat(key))).get().extracting(ArtifactInfo::sha256).isEqualTo(info.sha256());
  }
}
