package io.songmap.stages.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.job.AudioSource;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobEventJson;
import io.songmap.stages.runtime.StageTask;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobEventAvroTest {
  private static final Instant AT = Instant.parse("2026-11-23T10:15:30.123Z");

  static List<JobEvent> oneOfEach() {
    String id = "job-1";
    return List.of(
        new JobEvent.JobSubmitted(id, "acme", AudioSource.objectKey("uploads/a.mp3"), List.of("midi"), 3,
            Map.of("title", "Song"), Map.of("htdemucs", "4"), AT),
        new JobEvent.StageRequested(id, Stage.SEPARATE, 1, 2, AT.plusMillis(250), Map.of("ingest.audio", "k"),
            Map.of("htdemucs", "4"), 3, AT),
        new JobEvent.StageStarted(id, Stage.DRUMS, 1, 1, AT),
        new JobEvent.StageProgressed(id, Stage.DRUMS, 1, 1, 0.25, AT),
        new JobEvent.StageCompleted(id, Stage.DRUMS, 1, 1, Map.of("hits", "k2"), new ModelRef("drum_cnn", "1"), AT),
        new JobEvent.StageCompleted(id, Stage.INGEST, 1, 1, Map.of(), null, AT),
        new JobEvent.StageFailed(id, Stage.LYRICS, 1, 1, ErrorCode.MODEL_UNAVAILABLE, "not ready", true, AT),
        new JobEvent.StageSkipped(id, Stage.LYRICS, 1, 2, "instrumental", AT),
        new JobEvent.JobCompleted(id, 1, AT),
        new JobEvent.JobFailed(id, 1, Stage.MELODY_BASS, ErrorCode.TIMEOUT, "gave up", AT),
        new JobEvent.JobCancelled(id, "by user", AT),
        new JobEvent.ReprocessRequested(id, 2, Stage.DRUMS, List.of(Stage.DRUMS, Stage.PACKAGE),
            Map.of("drum_cnn", "2"), AT));
  }

  private static RecordedEvent recorded(JobEvent e, long version) {
    return new RecordedEvent(new Position(77, 1000 + version), "acme", e.jobId(), version, UUID.randomUUID(),
        JobEventType.typeNameOf(e), 1, JobEventJson.toJson(e).encode(), "{}", AT);
  }

  @Test
  void everyEventSurvivesTheWireUnchanged() {
    List<JobEvent> events = oneOfEach();
    assertThat(events.stream().map(JobEvent::type).distinct()).hasSize(JobEventType.values().length);
    long version = 1;
    for (JobEvent event : events) {
      RecordedEvent r = recorded(event, version++);
      byte[] wire = AvroWire.jobEvent().encode(JobEventAvro.envelope(r, event, "corr", "cause"));
      io.songmap.avro.JobEvent envelope = AvroWire.jobEvent().decode(wire);
      assertThat(envelope.getType()).isEqualTo(r.type());
      assertThat(envelope.getPayload().getClass().getSimpleName()).isEqualTo(r.type());
      assertThat(envelope.getVersion()).isEqualTo(r.version());
      assertThat(envelope.getGlobalPosition()).isEqualTo(r.position().globalPosition());
      assertThat(envelope.getCorrelationId()).isEqualTo("corr");
      assertThat(JobEventAvro.fromAvro(envelope)).isEqualTo(event);
    }
  }

  @Test
  void aStageRequestedBecomesTheTaskAProcessorReads() {
    JobEvent.StageRequested requested = (JobEvent.StageRequested) oneOfEach().get(1);
    RecordedEvent r = recorded(requested, 2);
    byte[] wire = AvroWire.stageTask().encode(JobEventAvro.stageTask(r, requested, null));
    StageTask task = StageTask.fromAvro(AvroWire.stageTask().decode(wire));
    assertThat(task).isEqualTo(new StageTask(r.eventId().toString(), "acme", "job-1", Stage.SEPARATE, 1, 2,
        AT.plusMillis(250), Map.of("ingest.audio", "k"), Map.of("htdemucs", "4"), "job-1", 3));
  }
}
