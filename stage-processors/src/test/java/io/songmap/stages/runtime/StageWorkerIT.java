package io.songmap.stages.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.job.ErrorCode;
import io.songmap.job.JobEvent;
import io.songmap.job.StageStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.pipeline.PipelineFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One stage worker against the real broker and PostgreSQL, fed by hand with the tasks the relay would
 * publish: crashes, duplicates, garbage, timeouts and long work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StageWorkerIT {
  private PipelineFixture fx;

  @BeforeAll
  void setUp() {
    fx = PipelineFixture.create("stage_worker_it", PipelineFixture.FAST_RETRIES);
  }

  @AfterAll
  void tearDown() {
    fx.close();
  }

  private static <T extends JobEvent> List<T> of(List<JobEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static Future<StageResult> done(StageTask task) {
    return Future.succeededFuture(StageResult.completed(Map.of("by", "test")));
  }

  @Test
  void aTaskAbandonedByACrashedProcessorIsRedeliveredAndCompletedOnce() {
    KafkaTopics topics = fx.newTopics();
    fx.submit("crash-1");
    AtomicInteger firstCalls = new AtomicInteger();
    String first = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> {
      firstCalls.incrementAndGet();
      return Promise.<StageResult>promise().future(); // dies with its process, never answers
    }, fx.workerConfig(topics).withShutdownGrace(Duration.ofMillis(200))));
    fx.produce(topics.stage(Stage.INGEST), "crash-1", fx.taskRecord("crash-1", Stage.INGEST));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fx.state("crash-1").stageStatus(Stage.INGEST) == StageStatus.RUNNING);
    fx.undeploy(first);

    AtomicInteger secondCalls = new AtomicInteger();
    String second = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> {
      secondCalls.incrementAndGet();
      return done(task);
    }, fx.workerConfig(topics)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fx.state("crash-1").stageStatus(Stage.INGEST) == StageStatus.COMPLETED);
    // The same task once more, after the attempt completed: acknowledged without running.
    fx.produce(topics.stage(Stage.INGEST), "crash-1", fx.taskRecord("crash-1", Stage.INGEST));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> secondCalls.get() == 1);
    fx.undeploy(second);

    List<JobEvent> events = fx.events("crash-1");
    assertThat(firstCalls).hasValue(1);
    assertThat(of(events, JobEvent.StageStarted.class)).hasSize(1);
    assertThat(of(events, JobEvent.StageCompleted.class)).extracting(JobEvent.StageCompleted::stage)
        .containsExactly(Stage.INGEST);
  }

  @Test
  void aTaskDeliveredTwiceAtOnceRunsOnceAndCompletesOnce() {
    KafkaTopics topics = fx.newTopics();
    fx.submit("twice-1");
    AtomicInteger calls = new AtomicInteger();
    String worker = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> {
      calls.incrementAndGet();
      Promise<StageResult> later = Promise.promise();
      ctx.vertx().setTimer(300, id -> later.complete(StageResult.completed(Map.of("by", "test"))));
      return later.future();
    }, fx.workerConfig(topics)));
    byte[] task = fx.taskRecord("twice-1", Stage.INGEST);
    fx.produce(topics.stage(Stage.INGEST), "twice-1", task);
    fx.produce(topics.stage(Stage.INGEST), "twice-1", task);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fx.state("twice-1").stageStatus(Stage.INGEST) == StageStatus.COMPLETED);
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> calls.get() == 1);
    fx.undeploy(worker);
    assertThat(of(fx.events("twice-1"), JobEvent.StageCompleted.class)).hasSize(1);
  }

  @Test
  void garbageGoesToTheDeadLetterTopicAndTheNextTaskIsProcessed() {
    KafkaTopics topics = fx.newTopics();
    fx.submit("after-garbage-1");
    String worker = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> done(task), fx.workerConfig(topics)));
    String topic = topics.stage(Stage.INGEST);
    fx.produce(topic, "after-garbage-1", "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8));
    fx.produce(topic, "after-garbage-1", fx.taskRecord("after-garbage-1", Stage.INGEST));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fx.state("after-garbage-1").stageStatus(Stage.INGEST) == StageStatus.COMPLETED);

    List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = fx.consumer(List.of(KafkaTopics.dlq(topic)))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
        return !dead.isEmpty();
      });
    }
    fx.undeploy(worker);
    ConsumerRecord<String, byte[]> record = dead.get(0);
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\": \"avro\"}");
    assertThat(new String(record.headers().lastHeader(BoundedConsumer.H_ERROR_CODE).value(), StandardCharsets.UTF_8))
        .isEqualTo("UNREADABLE_NOT_SINGLE_OBJECT");
    assertThat(new String(record.headers().lastHeader(BoundedConsumer.H_SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
        .isEqualTo(topic);
  }

  @Test
  void anOverrunFailsWithTimeoutAndAnExceptionWithInternalBothRetryable() {
    KafkaTopics topics = fx.newTopics();
    fx.submit("overrun-1");
    fx.submit("throws-1");
    String worker = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> {
      if (task.jobId().startsWith("throws")) {
        throw new IllegalStateException("a bug in the handler");
      }
      return Promise.<StageResult>promise().future();
    }, fx.workerConfig(topics).withTimeouts(Duration.ofMillis(400), Duration.ofMillis(100))));
    fx.produce(topics.stage(Stage.INGEST), "overrun-1", fx.taskRecord("overrun-1", Stage.INGEST));
    fx.produce(topics.stage(Stage.INGEST), "throws-1", fx.taskRecord("throws-1", Stage.INGEST));
    await().atMost(Duration.ofSeconds(30)).until(() -> !of(fx.events("overrun-1"), JobEvent.StageFailed.class).isEmpty()
        && !of(fx.events("throws-1"), JobEvent.StageFailed.class).isEmpty());
    fx.undeploy(worker);

    JobEvent.StageFailed overrun = of(fx.events("overrun-1"), JobEvent.StageFailed.class).get(0);
    assertThat(overrun.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(overrun.willRetry()).isTrue();
    JobEvent.StageFailed threw = of(fx.events("throws-1"), JobEvent.StageFailed.class).get(0);
    assertThat(threw.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(threw.message()).contains("a bug in the handler");
    assertThat(fx.state("throws-1").attempt(Stage.INGEST)).isEqualTo(2);
  }

  @Test
  void longWorkRecordsItsStartProgressAndHeartbeats() {
    KafkaTopics topics = fx.newTopics();
    fx.submit("long-1");
    String worker = fx.deploy(fx.worker(Stage.INGEST, (task, ctx) -> {
      ctx.reportProgress(0.5);
      return ctx.executeBlocking(() -> {
        Thread.sleep(600); // stands for blocking work on the stage's worker pool
        return StageResult.completed(Map.of("by", "test"));
      });
    }, fx.workerConfig(topics).withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(100))));
    fx.produce(topics.stage(Stage.INGEST), "long-1", fx.taskRecord("long-1", Stage.INGEST));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fx.state("long-1").stageStatus(Stage.INGEST) == StageStatus.COMPLETED);
    fx.undeploy(worker);

    List<JobEvent> events = fx.events("long-1");
    List<JobEvent.StageProgressed> progress = of(events, JobEvent.StageProgressed.class);
    assertThat(progress).hasSizeGreaterThanOrEqualTo(2);
    assertThat(progress.get(0).fraction()).isEqualTo(0.5);
    assertThat(progress).extracting(JobEvent.StageProgressed::fraction).isSorted();
    int started = events.indexOf(of(events, JobEvent.StageStarted.class).get(0));
    assertThat(started).isLessThan(events.indexOf(progress.get(0)));
  }
}
