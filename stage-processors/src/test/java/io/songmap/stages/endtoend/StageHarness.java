package io.songmap.stages.endtoend;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.CpuServer;
import io.songmap.inference.cpu.CpuServerConfig;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs stage handlers directly, without Kafka: a real artifact store in a temporary directory, a
 * real in-process inference server (gRPC on a random port) with the given models, and a stage
 * context whose blocking work goes to a bounded worker pool, as the stage worker's does.
 */
public final class StageHarness implements AutoCloseable {

  public static final String TENANT = "acme";

  public final Vertx vertx;
  public final Path root;
  public final LocalArtifactStore store;
  public final CpuServer server;
  public final TritonClient triton;
  public final Stages.Settings settings;
  private final WorkerExecutor workers;

  public StageHarness(List<CpuModel> models) {
    this(models, Stages.Settings.defaults().withPdf(false));
  }

  public StageHarness(List<CpuModel> models, Stages.Settings settings) {
    try {
      this.root = Files.createTempDirectory("songmap-stages-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    this.vertx = Vertx.vertx();
    this.store = new LocalArtifactStore(vertx, root.resolve("artifacts"));
    this.server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(2, 2), models);
    this.triton = TritonClient.create(TritonClientConfig.of("localhost:" + server.port())
        .withDeadline(Duration.ofMinutes(2)));
    this.settings = settings.withWorkDir(root.resolve("work"));
    this.workers = vertx.createSharedWorkerExecutor("stage-harness", 2);
  }

  /** Progress reported by the last {@link #run}. */
  public final List<Double> progress = Collections.synchronizedList(new ArrayList<>());

  public StageTask task(Stage stage, String jobId, Map<String, String> inputs) {
    return task(stage, jobId, inputs, 0);
  }

  public StageTask task(Stage stage, String jobId, Map<String, String> inputs, int priority) {
    return task(stage, jobId, 1, inputs, priority);
  }

  /** A task of run {@code run} (a reprocessed job is in run 2 and later). */
  public StageTask task(Stage stage, String jobId, int run, Map<String, String> inputs, int priority) {
    return new StageTask(UUID.randomUUID().toString(), TENANT, jobId, stage, run, 1, Instant.EPOCH, inputs, Map.of(),
        "corr-" + jobId, priority);
  }

  public ArtifactKey key(String jobId, String name) {
    return new ArtifactKey(TENANT, jobId, name);
  }

  /** Runs {@code handler} on an event loop and waits for its result. */
  public StageResult run(StageHandler handler, StageTask task) {
    progress.clear();
    Promise<StageResult> promise = Promise.promise();
    StageContext ctx = new StageContext() {
      @Override
      public Vertx vertx() {
        return vertx;
      }

      @Override
      public void reportProgress(double fraction) {
        if (fraction < 0 || fraction > 1) {
          throw new IllegalArgumentException("progress out of range: " + fraction);
        }
        progress.add(fraction);
      }

      @Override
      public <T> Future<T> executeBlocking(Callable<T> work) {
        if (!io.vertx.core.Context.isOnEventLoopThread()) {
          throw new IllegalStateException("executeBlocking called off the event loop");
        }
        return workers.executeBlocking(work, false);
      }

      @Override
      public Instant deadline() {
        return Instant.now().plus(Duration.ofMinutes(5));
      }

      @Override
      public boolean isAbandoned() {
        return false;
      }
    };
    vertx.getOrCreateContext().runOnContext(v -> handler.handle(task, ctx).onComplete(promise));
    return await(promise.future());
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(3, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The shared test data: {@code $SONGMAP_SHARED}, else {@code ../shared} from the repository root. */
  public static Path shared() {
    String env = System.getenv("SONGMAP_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && p.getParent() != null
          && Files.isDirectory(p.getParent().resolve("shared").resolve("data"))) {
        return p.getParent().resolve("shared");
      }
    }
    throw new IllegalStateException("no shared test data: set SONGMAP_SHARED or keep ../shared beside the repository");
  }

  @Override
  public void close() {
    triton.close();
    server.close();
    await(vertx.close());
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
