package io.songmap.stages.relay;

import static io.songmap.stages.pipeline.PipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.avro.StageTask;
import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.job.AudioSource;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.retry.RetryPolicy;
import io.songmap.job.stage.Stage;
import io.songmap.stages.pipeline.PipelineFixture;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/** The relay against the real broker and PostgreSQL: order, hand-over between processes, delayed tasks. */
class RelayIT {

  private static void poll(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> into) {
    consumer.poll(Duration.ofMillis(200)).forEach(into::add);
  }

  @Test
  void publishesEveryEventInStoreOrderAndTheStandbyGoesOnWhereTheOwnerStopped() throws Exception {
    try (PipelineFixture fx = PipelineFixture.create("relay_it_order", PipelineFixture.FAST_RETRIES)) {
      for (int i = 0; i < 20; i++) {
        fx.command(new JobCommand.SubmitJob("job-" + i, PipelineFixture.TENANT,
            AudioSource.url("https://songs.example/job-" + i + ".mp3"), List.of("musicxml"), priority(i), Map.of(),
            Map.of(), Instant.now()));
        fx.command(new JobCommand.StartStage("job-" + i, Stage.INGEST, 1, 1, Instant.now()));
      }
      // Two processes run a relay; only the lease holder publishes.
      Vertx first = Vertx.vertx();
      Vertx second = Vertx.vertx();
      RelayConfig config = fx.relayConfig();
      Relay a = fx.relay(config.withOwner("relay-a"));
      Relay b = fx.relay(config.withOwner("relay-b"));
      await(first.deployVerticle(a));
      await(second.deployVerticle(b));
      await().atMost(Duration.ofSeconds(10)).until(() -> a.isActive() || b.isActive());
      assertThat(a.isActive() && b.isActive()).isFalse();

      List<ConsumerRecord<String, byte[]>> events = new ArrayList<>();
      List<ConsumerRecord<String, byte[]>> tasks = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> eventConsumer = fx.consumer(List.of(fx.topics.jobEvents()));
          KafkaConsumer<String, byte[]> taskConsumer = fx.consumer(List.of(fx.topics.stage(Stage.INGEST),
              fx.topics.stage(Stage.SEPARATE)))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          poll(eventConsumer, events);
          return events.size() >= 60;
        });
        // The active relay goes away; the standby takes over from the checkpoint and publishes what follows.
        boolean aWasActive = a.isActive();
        await((aWasActive ? first : second).close());
        Relay standby = aWasActive ? b : a;
        for (int i = 0; i < 20; i++) {
          fx.command(new JobCommand.CompleteStage("job-" + i, Stage.INGEST, 1, 1, Map.of("audio", "a" + i), null,
              Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(standby::isActive);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          poll(eventConsumer, events);
          return events.size() >= 100;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          poll(taskConsumer, tasks);
          return tasks.size() >= 40;
        });
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> {
          poll(eventConsumer, events);
          return true;
        });
      } finally {
        await(first.close().otherwiseEmpty());
        await(second.close().otherwiseEmpty());
      }

      // Every stored event exactly once, each job's in version order with rising global positions.
      List<RecordedEvent> stored = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        stored.addAll(fx.recorded("job-" + i));
      }
      assertThat(events).hasSize(stored.size());
      Map<String, List<io.songmap.avro.JobEvent>> byJob = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : events) {
        io.songmap.avro.JobEvent e = AvroWire.jobEvent().decode(r.value());
        assertThat(r.key()).isEqualTo(e.getJobId());
        byJob.computeIfAbsent(e.getJobId(), k -> new ArrayList<>()).add(e);
      }
      for (int i = 0; i < 20; i++) {
        List<RecordedEvent> expected = fx.recorded("job-" + i);
        List<io.songmap.avro.JobEvent> got = byJob.get("job-" + i);
        assertThat(got).extracting(io.songmap.avro.JobEvent::getEventId)
            .containsExactlyElementsOf(expected.stream().map(e -> e.eventId().toString()).toList());
        assertThat(got).extracting(io.songmap.avro.JobEvent::getGlobalPosition).isSorted();
        assertThat(got).extracting(io.songmap.avro.JobEvent::getType)
            .containsExactly("JobSubmitted", "StageRequested", "StageStarted", "StageCompleted", "StageRequested");
        JobEvent completed = JobEventAvro.fromAvro(got.get(3));
        JobEvent original = fx.events("job-" + i).get(3);
        assertThat(completed).usingRecursiveComparison().ignoringFields("at").isEqualTo(original);
        assertThat(completed.at()).isEqualTo(original.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(got.get(0).getCorrelationId()).isEqualTo("corr-job-" + i);
      }
      // One task per StageRequested: ingest from the first relay, separate from the second, which never saw the
      // jobs' submissions and still gives each task its job's priority.
      Set<String> taskKeys = new HashSet<>();
      for (ConsumerRecord<String, byte[]> r : tasks) {
        StageTask t = AvroWire.stageTask().decode(r.value());
        taskKeys.add(t.getJobId() + "/" + t.getStage() + "/" + t.getAttempt());
        assertThat(t.getPriority()).as(t.getJobId() + "/" + t.getStage())
            .isEqualTo(priority(Integer.parseInt(t.getJobId().substring("job-".length()))));
      }
      assertThat(taskKeys).hasSize(40);
    }
  }

  private static int priority(int job) {
    return 1 + job % 9;
  }

  @Test
  void aRetryRequestedForLaterIsPublishedWhenDueAndNotBefore() {
    RetryPolicy slowRetry = new RetryPolicy(3, Duration.ofMillis(1500), Duration.ofMillis(1500), 0);
    try (PipelineFixture fx = PipelineFixture.create("relay_it_delayed", slowRetry)) {
      fx.deploy(fx.relay(fx.relayConfig()));
      KafkaConsumer<String, byte[]> consumer = fx.consumer(List.of(fx.topics.stage(Stage.INGEST)));
      fx.submit("later-1");
      fx.command(new JobCommand.StartStage("later-1", Stage.INGEST, 1, 1, Instant.now()));
      fx.command(new JobCommand.FailStage("later-1", Stage.INGEST, 1, 1, ErrorCode.STORAGE_UNAVAILABLE, "disk away",
          Instant.now()));
      JobEvent.StageRequested retry = fx.events("later-1").stream()
          .filter(e -> e instanceof JobEvent.StageRequested r && r.attempt() == 2)
          .map(JobEvent.StageRequested.class::cast).findFirst().orElseThrow();

      List<StageTask> tasks = new ArrayList<>();
      Map<Integer, Instant> receivedAt = new HashMap<>();
      boolean parked = false;
      try (consumer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (receivedAt.size() < 2 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
            StageTask t = AvroWire.stageTask().decode(r.value());
            tasks.add(t);
            receivedAt.putIfAbsent(t.getAttempt(), Instant.now());
          }
          if (!parked && receivedAt.containsKey(1)) {
            parked = delayedRows(fx) == 1;
          }
        }
      }
      assertThat(parked).as("the retry waits in relay_delayed_task").isTrue();
      assertThat(receivedAt).containsKeys(1, 2);
      assertThat(receivedAt.get(2)).isAfterOrEqualTo(retry.notBefore());
      assertThat(receivedAt.get(2)).isBefore(retry.notBefore().plusSeconds(2));
      StageTask second = tasks.stream().filter(t -> t.getAttempt() == 2).findFirst().orElseThrow();
      assertThat(second.getNotBefore()).isEqualTo(retry.notBefore().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      await().atMost(Duration.ofSeconds(5)).until(() -> delayedRows(fx) == 0);
    }
  }

  private static long delayedRows(PipelineFixture fx) {
    return await(fx.pool.preparedQuery("SELECT count(*) FROM relay_delayed_task").execute(Tuple.tuple()))
        .iterator().next().getLong(0);
  }
}
