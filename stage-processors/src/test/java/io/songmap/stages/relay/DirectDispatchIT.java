package io.songmap.stages.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.avro.StageTask;
import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.job.Job;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobState;
import io.songmap.job.retry.JitterSource;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobEventJson;
import io.songmap.stages.jobs.TaskDispatch;
import io.songmap.stages.pipeline.PipelineFixture;
import io.songmap.stages.runtime.KafkaTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Stage tasks sent as their appends commit, ahead of the relay, against the real broker and PostgreSQL: each task
 * reaches its topic exactly once, whoever sends it.
 */
class DirectDispatchIT {
  private static final JobCommands.Meta META = new JobCommands.Meta("corr", null);

  private static List<StageTask> drain(KafkaConsumer<String, byte[]> consumer, List<StageTask> into) {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      into.add(AvroWire.stageTask().decode(r.value()));
    }
    return into;
  }

  /** What the topic holds once nothing more has come for a second. */
  private static List<StageTask> settled(KafkaConsumer<String, byte[]> consumer, List<StageTask> into) {
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> {
      int before = into.size();
      return drain(consumer, into).size() == before;
    });
    return into;
  }

  private static String storedRequestId(PipelineFixture fx, String jobId, Stage stage) {
    List<RecordedEvent> recorded = fx.recorded(jobId);
    return recorded.stream()
        .filter(r -> JobEventJson.fromJson(r.type(), r.dataJson()) instanceof JobEvent.StageRequested q
            && q.stage() == stage)
        .map(r -> r.eventId().toString()).reduce((a, b) -> b).orElseThrow();
  }

  private static JobCommand.SubmitJob submission(String jobId) {
    return new JobCommand.SubmitJob(jobId, PipelineFixture.TENANT,
        io.songmap.job.AudioSource.url("https://songs.example/" + jobId + ".mp3"), List.of("musicxml"), 0, Map.of(),
        Map.of(), Instant.now());
  }

  @Test
  void aTaskGoesOutWhenItsAppendCommitsAndTheRelayDoesNotSendItAgain() {
    try (PipelineFixture fx = PipelineFixture.create("direct_it_once", PipelineFixture.FAST_RETRIES, true);
        KafkaConsumer<String, byte[]> ingest = fx.consumer(List.of(fx.topics.stage(Stage.INGEST)));
        KafkaConsumer<String, byte[]> separate = fx.consumer(List.of(fx.topics.stage(Stage.SEPARATE)));
        KafkaConsumer<String, byte[]> events = fx.consumer(List.of(fx.topics.jobEvents()))) {
      for (int i = 0; i < 10; i++) {
        fx.submit("job-" + i);
      }
      // No relay runs yet: the tasks come from the appends themselves.
      List<StageTask> ingestTasks = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> drain(ingest, ingestTasks).size() >= 10);
      for (StageTask t : ingestTasks) {
        assertThat(t.getEventId()).isEqualTo(storedRequestId(fx, t.getJobId(), Stage.INGEST));
        assertThat(t.getTenant()).isEqualTo(PipelineFixture.TENANT);
        assertThat(t.getCorrelationId()).isEqualTo("corr-" + t.getJobId());
      }
      assertThat(fx.dispatch.pending()).isEqualTo(10);

      // The relay starts: it publishes every event, and no task a second time.
      fx.deploy(fx.relay(fx.relayConfig()));
      List<ConsumerRecord<String, byte[]>> published = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        events.poll(Duration.ofMillis(100)).forEach(published::add);
        return published.size() >= 20;
      });
      assertThat(settled(ingest, ingestTasks)).hasSize(10);
      assertThat(fx.dispatch.pending()).isZero();

      // With the relay running, the next stage's tasks still go out once each.
      for (int i = 0; i < 10; i++) {
        fx.command(new JobCommand.StartStage("job-" + i, Stage.INGEST, 1, 1, Instant.now()));
        fx.command(new JobCommand.CompleteStage("job-" + i, Stage.INGEST, 1, 1, Map.of("audio", "a" + i), null,
            Instant.now()));
      }
      List<StageTask> separateTasks = settled(separate, new ArrayList<>());
      assertThat(separateTasks).extracting(StageTask::getJobId).doesNotHaveDuplicates().hasSize(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> fx.dispatch.pending() == 0);
      assertThat(fx.dispatch.forgotten()).isZero();
    }
  }

  @Test
  void aTaskTheDirectSendCannotDeliverGoesOutThroughTheRelay() {
    try (PipelineFixture fx = PipelineFixture.create("direct_it_fallback", PipelineFixture.FAST_RETRIES);
        KafkaConsumer<String, byte[]> ingest = fx.consumer(List.of(fx.topics.stage(Stage.INGEST)))) {
      // Topic names longer than Kafka allows: every direct send fails.
      KafkaTopics unusable = new KafkaTopics("x".repeat(250));
      try (DirectDispatch failing = DirectDispatch.create(fx.bootstrap, unusable, Map.of("max.block.ms", 2000),
          DirectDispatch.Limits.DEFAULTS)) {
        JobCommands commands = new JobCommands(fx.vertx, fx.store, new Job(PipelineFixture.FAST_RETRIES,
            JitterSource.fixed(0)), 20, JobCommands.DEFAULT_CACHE_SIZE, JobCommands.DEFAULT_GATHER_WINDOW, failing);
        fx.deploy(new Relay(fx.store, fx.pg, fx.relayConfig(), failing));
        for (int i = 0; i < 3; i++) {
          PipelineFixture.await(commands.handle(PipelineFixture.TENANT, submission("job-" + i), META));
        }
        List<StageTask> tasks = settled(ingest, await3(ingest));
        assertThat(tasks).extracting(StageTask::getJobId).containsExactlyInAnyOrder("job-0", "job-1", "job-2");
        assertThat(failing.pending()).isZero();
      }
    }
  }

  @Test
  void aTaskWhoseAppendNeverAnswersIsSentByTheRelayAfterItsWait() {
    try (PipelineFixture fx = PipelineFixture.create("direct_it_hung", PipelineFixture.FAST_RETRIES);
        KafkaConsumer<String, byte[]> ingest = fx.consumer(List.of(fx.topics.stage(Stage.INGEST)));
        DirectDispatch dispatch = DirectDispatch.create(fx.bootstrap, fx.topics, Map.of(),
            new DirectDispatch.Limits(Duration.ofMinutes(1), 1000, Duration.ofSeconds(1)))) {
      // The append commits, but its outcome never reaches the dispatch (a reply lost on a connection that hangs):
      // the task is announced and neither sent nor given up.
      TaskDispatch unanswered = (tenant, requested) -> {
        dispatch.prepare(tenant, requested);
        return new TaskDispatch.Pending() {
          @Override
          public void committed() {}

          @Override
          public void abandoned() {}
        };
      };
      JobCommands commands = new JobCommands(fx.vertx, fx.store, new Job(PipelineFixture.FAST_RETRIES,
          JitterSource.fixed(0)), 20, JobCommands.DEFAULT_CACHE_SIZE, JobCommands.DEFAULT_GATHER_WINDOW, unanswered);
      fx.deploy(new Relay(fx.store, fx.pg, fx.relayConfig(), dispatch));
      long submitted = System.nanoTime();
      PipelineFixture.await(commands.handle(PipelineFixture.TENANT, submission("job-h"), META));
      List<StageTask> tasks = new ArrayList<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> drain(ingest, tasks).size() >= 1);
      assertThat(Duration.ofNanos(System.nanoTime() - submitted)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(settled(ingest, tasks)).extracting(StageTask::getEventId)
          .containsExactly(storedRequestId(fx, "job-h", Stage.INGEST));
    }
  }

  private static List<StageTask> await3(KafkaConsumer<String, byte[]> consumer) {
    List<StageTask> tasks = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> drain(consumer, tasks).size() >= 3);
    return tasks;
  }

  @Test
  void theTasksOfAnAppendThatLostAVersionConflictAreNeverSent() {
    try (PipelineFixture fx = PipelineFixture.create("direct_it_conflict", PipelineFixture.FAST_RETRIES, true);
        KafkaConsumer<String, byte[]> separate = fx.consumer(List.of(fx.topics.stage(Stage.SEPARATE)))) {
      fx.deploy(fx.relay(fx.relayConfig()));
      fx.submit("job-1");
      JobState beforeStart = fx.state("job-1");
      fx.command(new JobCommand.StartStage("job-1", Stage.INGEST, 1, 1, Instant.now()));
      // Decided first against the state before StartStage: that append meets a version conflict, its events (a
      // StageRequested for separate among them) are never stored, and the command goes again from a fresh read.
      PipelineFixture.await(fx.commands.handle(PipelineFixture.TENANT, new JobCommand.CompleteStage("job-1",
          Stage.INGEST, 1, 1, Map.of("audio", "a"), null, Instant.now()), META, beforeStart));
      List<StageTask> tasks = settled(separate, new ArrayList<>());
      assertThat(tasks).hasSize(1);
      assertThat(tasks.get(0).getEventId()).isEqualTo(storedRequestId(fx, "job-1", Stage.SEPARATE));
      await().atMost(Duration.ofSeconds(10)).until(() -> fx.dispatch.pending() == 0);
    }
  }
}
