package io.songmap.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.stages.jobs.JobEventJson;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ArtifactJanitorIT {

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void expiresTheArtifactsOfEndedJobsOnlyAfterTheTtl() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path root = Files.createTempDirectory("janitor");
    try {
      PgConnectOptions pg = TestPostgres.freshDatabase("janitor");
      PgEventStore store = get(PgEventStore.start(PgBuilder.pool().connectingTo(pg).using(vertx).build(),
          PgEventStoreOptions.DEFAULT));
      LocalArtifactStore artifacts = new LocalArtifactStore(vertx, root);
      ArtifactKey ended = new ArtifactKey("acme", "ended", "songmap.json");
      ArtifactKey running = new ArtifactKey("acme", "running", "songmap.json");
      get(artifacts.put(ended, Buffer.buffer("{}")));
      get(artifacts.put(running, Buffer.buffer("{}")));
      JobEvent done = new JobEvent.JobCompleted("ended", 1, Instant.now());
      get(store.append("acme", "ended", ExpectedVersion.ANY, List.of(new NewEvent(UUID.randomUUID(),
          JobEventType.typeNameOf(done), JobEventType.SCHEMA_VERSION, JobEventJson.toJson(done).encode(), "{}"))));

      // A long TTL keeps everything; the end is recorded all the same.
      String longTtl = get(vertx.deployVerticle(new ArtifactJanitor(store, pg, artifacts, Duration.ofHours(1),
          Duration.ofMillis(100))));
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(root.resolve("acme/ended/.finished")));
      Thread.sleep(300);
      assertThat(get(artifacts.stat(ended))).isPresent();
      get(vertx.undeploy(longTtl));

      get(vertx.deployVerticle(new ArtifactJanitor(store, pg, artifacts, Duration.ZERO, Duration.ofMillis(100))));
      await().atMost(Duration.ofSeconds(20)).until(() -> get(artifacts.stat(ended)).isEmpty());
      assertThat(get(artifacts.stat(running))).isPresent();
    } finally {
      get(vertx.close());
    }
  }
}
