package io.songmap.stages.pipeline;

import static io.songmap.stages.pipeline.PipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.job.ErrorCode;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Jobs driven through the whole graph by the relay and six stage workers over the real broker and
 * PostgreSQL. The handlers are trivial; what a handler does for a job is chosen by the job id's prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
  private PipelineFixture fx;
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Map<String, Promise<StageResult>> held = new ConcurrentHashMap<>();

  @BeforeAll
  void startPipeline() {
    // As the service runs it: the relay and the workers in one process, tasks sent as their appends commit.
    fx = PipelineFixture.create("pipeline_it", PipelineFixture.FAST_RETRIES, true);
    fx.deploy(fx.relay(fx.relayConfig()));
    for (Stage stage : Stage.values()) {
      fx.deploy(fx.worker(stage, this::handle, fx.workerConfig()));
    }
  }

  @AfterAll
  void stopPipeline() {
    held.values().forEach(p -> p.tryComplete(StageResult.completed(Map.of())));
    fx.close();
  }

  private Future<StageResult> handle(StageTask task, StageContext ctx) {
    int run = runs.computeIfAbsent(task.jobId() + "/" + task.stage(), k -> new AtomicInteger()).incrementAndGet();
    String job = task.jobId();
    if (job.startsWith("flaky-") && task.stage() == Stage.DRUMS && task.attempt() < 3) {
      return Future.succeededFuture(StageResult.failed(ErrorCode.INFERENCE_FAILED, "flaky " + run));
    }
    if (job.startsWith("broken-") && task.stage() == Stage.MELODY_BASS) {
      return Future.succeededFuture(StageResult.failed(ErrorCode.MODEL_UNAVAILABLE, "always down"));
    }
    if (job.startsWith("held-") && task.stage() == Stage.SEPARATE) {
      Promise<StageResult> p = Promise.promise();
      held.put(job, p);
      return p.future();
    }
    return Future.succeededFuture(StageResult.completed(Map.of("out", task.stage() + "@" + task.run())));
  }

  private int runsOf(String jobId, Stage stage) {
    AtomicInteger n = runs.get(jobId + "/" + stage);
    return n == null ? 0 : n.get();
  }

  private void awaitStatus(String jobId, JobStatus status) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> fx.state(jobId).status() == status);
  }

  private static <T extends JobEvent> List<T> of(List<JobEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void hundredJobsEachEndCompletedWithOneResultPerStage() {
    for (int i = 0; i < 100; i++) {
      fx.submit("ok-" + i);
    }
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> await(fx.pool
        .preparedQuery("SELECT count(*) FROM es_event WHERE type = 'JobCompleted' AND stream_id LIKE 'ok-%'")
        .execute(Tuple.tuple())).iterator().next().getLong(0) == 100);
    for (int i = 0; i < 100; i++) {
      List<JobEvent> events = fx.events("ok-" + i);
      assertThat(of(events, JobEvent.JobCompleted.class)).hasSize(1);
      assertThat(of(events, JobEvent.StageCompleted.class)).extracting(JobEvent.StageCompleted::stage)
          .containsExactlyInAnyOrder(Stage.values());
      assertThat(of(events, JobEvent.StageStarted.class)).hasSize(Stage.values().length);
      assertThat(events.get(events.size() - 1)).isInstanceOf(JobEvent.JobCompleted.class);
      JobEvent.StageCompleted pkg = of(events, JobEvent.StageCompleted.class).stream()
          .filter(e -> e.stage() == Stage.PACKAGE).findFirst().orElseThrow();
      assertThat(pkg.outputs()).containsEntry("out", "package@1");
    }
  }

  @Test
  void aFlakyStageIsRetriedAndThenSucceeds() {
    fx.submit("flaky-1");
    awaitStatus("flaky-1", JobStatus.COMPLETED);
    List<JobEvent> events = fx.events("flaky-1");
    assertThat(of(events, JobEvent.StageFailed.class))
        .extracting(JobEvent.StageFailed::attempt, JobEvent.StageFailed::willRetry)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, true), org.assertj.core.groups.Tuple.tuple(2, true));
    assertThat(of(events, JobEvent.StageCompleted.class)).filteredOn(e -> e.stage() == Stage.DRUMS)
        .extracting(JobEvent.StageCompleted::attempt).containsExactly(3);
    List<JobEvent.StageRequested> retries = of(events, JobEvent.StageRequested.class).stream()
        .filter(e -> e.stage() == Stage.DRUMS && e.attempt() > 1).toList();
    assertThat(retries).allSatisfy(r -> assertThat(r.notBefore()).isAfter(r.at()));
    assertThat(runsOf("flaky-1", Stage.DRUMS)).isEqualTo(3);
  }

  @Test
  void aStageThatAlwaysFailsFailsTheJobAfterTheLimit() {
    fx.submit("broken-1");
    awaitStatus("broken-1", JobStatus.FAILED);
    List<JobEvent> events = fx.events("broken-1");
    assertThat(of(events, JobEvent.StageFailed.class)).extracting(JobEvent.StageFailed::attempt)
        .containsExactly(1, 2, 3);
    JobEvent.JobFailed failed = of(events, JobEvent.JobFailed.class).get(0);
    assertThat(failed.stage()).isEqualTo(Stage.MELODY_BASS);
    assertThat(failed.code()).isEqualTo(ErrorCode.MODEL_UNAVAILABLE);
    assertThat(of(events, JobEvent.StageRequested.class)).noneMatch(e -> e.stage() == Stage.PACKAGE);
    assertThat(runsOf("broken-1", Stage.MELODY_BASS)).isEqualTo(3);
  }

  @Test
  void aCancelledJobRunsNoFurtherStageAndALateResultChangesNothing() {
    fx.submit("held-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> held.containsKey("held-1")
        && fx.state("held-1").stageStatus(Stage.SEPARATE) == io.songmap.job.StageStatus.RUNNING);
    fx.command(new JobCommand.CancelJob("held-1", "changed my mind", Instant.now()));
    held.get("held-1").complete(StageResult.completed(Map.of("late", "yes")));
    awaitStatus("held-1", JobStatus.CANCELLED);
    // The late result is acknowledged; give it time to be (not) recorded.
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
    List<JobEvent> events = fx.events("held-1");
    assertThat(events.get(events.size() - 1)).isInstanceOf(JobEvent.JobCancelled.class);
    assertThat(of(events, JobEvent.StageCompleted.class)).extracting(JobEvent.StageCompleted::stage)
        .containsExactly(Stage.INGEST);
    assertThat(runsOf("held-1", Stage.DRUMS)).isZero();
  }

  @Test
  void reprocessingFromDrumsLeavesIngestAndSeparationAlone() {
    fx.submit("again-1");
    awaitStatus("again-1", JobStatus.COMPLETED);
    fx.command(new JobCommand.ReprocessJob("again-1", Stage.DRUMS, Map.of("drum_cnn", "2"), Instant.now()));
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.state("again-1").status() == JobStatus.COMPLETED
        && fx.state("again-1").run() == 2);
    List<JobEvent> events = fx.events("again-1");
    assertThat(of(events, JobEvent.JobCompleted.class)).extracting(JobEvent.JobCompleted::run).containsExactly(1, 2);
    assertThat(of(events, JobEvent.StageCompleted.class).stream().filter(e -> e.run() == 2).map(e -> e.stage()))
        .containsExactlyInAnyOrder(Stage.DRUMS, Stage.PACKAGE);
    assertThat(runsOf("again-1", Stage.INGEST)).isEqualTo(1);
    assertThat(runsOf("again-1", Stage.SEPARATE)).isEqualTo(1);
    assertThat(runsOf("again-1", Stage.DRUMS)).isEqualTo(2);
    assertThat(runsOf("again-1", Stage.PACKAGE)).isEqualTo(2);
    JobEvent.StageRequested drums2 = of(events, JobEvent.StageRequested.class).stream()
        .filter(e -> e.stage() == Stage.DRUMS && e.run() == 2).findFirst().orElseThrow();
    assertThat(drums2.modelVersions()).containsEntry("drum_cnn", "2");
    assertThat(drums2.inputs()).containsEntry("separate.out", "separate@1");
  }
}
