package io.songmap.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.songmap.avro.JobEvent;
import io.songmap.avro.event.StageCompleted;
import io.songmap.avro.event.StageFailed;
import io.songmap.avro.event.StageRequested;
import io.songmap.avro.event.StageStarted;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StageTimingsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StageTimings timings = new StageTimings(registry);

  @Test
  void anAttemptIsMeasuredFromItsRequestAndFromItsStartToItsCompletion() {
    timings.accept(event("j1", 2, T0, requested("separate", 1)));
    timings.accept(event("j1", 3, T0.plusMillis(400), started("separate", 1)));
    timings.accept(event("j1", 4, T0.plusMillis(2_900), completed("separate", 1, Map.of())));

    assertThat(timer("songmap_stage_requested_to_completed", "separate").totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(2_900);
    assertThat(timer("songmap_stage_started_to_completed", "separate").totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(2_500);
  }

  @Test
  void aRepublishedEventIsCountedOnce() {
    JobEvent completed = event("j1", 4, T0.plusSeconds(3), completed("ingest", 1, Map.of("durationSeconds", "30.5")));
    timings.accept(event("j1", 2, T0, requested("ingest", 1)));
    timings.accept(completed);
    timings.accept(completed);

    assertThat(timer("songmap_stage_requested_to_completed", "ingest").count()).isEqualTo(1);
    assertThat(registry.get("songmap_audio_processed_seconds").counter().count()).isEqualTo(30.5);
  }

  @Test
  void aFailedAttemptIsNotMeasuredAndItsRetryIsMeasuredFromItsOwnRequest() {
    timings.accept(event("j1", 2, T0, requested("drums", 1)));
    timings.accept(event("j1", 3, T0.plusSeconds(1), started("drums", 1)));
    timings.accept(event("j1", 4, T0.plusSeconds(2), StageFailed.newBuilder().setStage("drums").setRun(1)
        .setAttempt(1).setCode("TIMEOUT").setMessage("slow").setWillRetry(true).build()));
    timings.accept(event("j1", 5, T0.plusSeconds(2), requested("drums", 2)));
    // The failed attempt's late completion (decided to nothing by the job, but say it came) finds nothing to end.
    timings.accept(event("j1", 6, T0.plusSeconds(9), completed("drums", 1, Map.of())));
    timings.accept(event("j1", 7, T0.plusSeconds(5), completed("drums", 2, Map.of())));

    Timer requested = timer("songmap_stage_requested_to_completed", "drums");
    assertThat(requested.count()).isEqualTo(1);
    assertThat(requested.totalTime(TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(registry.find("songmap_stage_started_to_completed").timer()).isNull();
  }

  @Test
  void anAttemptRequestedBeforeTheGatewayStartedIsNotMeasuredButItsAudioCounts() {
    timings.accept(event("j2", 4, T0, completed("ingest", 1, Map.of("durationSeconds", "12.25"))));
    timings.accept(event("j3", 4, T0, completed("ingest", 1, Map.of("durationSeconds", "not a number"))));

    assertThat(registry.find("songmap_stage_requested_to_completed").timer()).isNull();
    assertThat(registry.get("songmap_audio_processed_seconds").counter().count()).isEqualTo(12.25);
  }

  private Timer timer(String name, String stage) {
    return registry.get(name).tag("stage", stage).timer();
  }

  private static JobEvent event(String jobId, long version, Instant at, Object payload) {
    return JobEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setJobId(jobId).setTenant("acme")
        .setVersion(version).setGlobalPosition(version).setType(payload.getClass().getSimpleName())
        .setSchemaVersion(1).setTime(at).setPayload(payload).build();
  }

  private static StageRequested requested(String stage, int attempt) {
    return StageRequested.newBuilder().setStage(stage).setRun(1).setAttempt(attempt).setNotBefore(T0)
        .setInputs(Map.of()).setModelVersions(Map.of()).build();
  }

  private static StageStarted started(String stage, int attempt) {
    return StageStarted.newBuilder().setStage(stage).setRun(1).setAttempt(attempt).build();
  }

  private static StageCompleted completed(String stage, int attempt, Map<String, String> outputs) {
    return StageCompleted.newBuilder().setStage(stage).setRun(1).setAttempt(attempt).setOutputs(outputs)
        .setModel(null).build();
  }
}
