package io.songmap.stages.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.job.AudioSource;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JobEventJsonTest {
  static final Instant T = Instant.parse("2026-11-23T10:00:00.123Z");

  static List<JobEvent> oneOfEach() {
    return List.of(
        new JobEvent.JobSubmitted("j1", "acme", AudioSource.objectKey("acme/j1/source.mp3"), List.of("midi"), 3,
            Map.of("title", "Song"), Map.of("htdemucs", "1"), T),
        new JobEvent.StageRequested("j1", Stage.SEPARATE, 1, 2, T.plusSeconds(4), Map.of("ingest.audio", "k"),
            Map.of("htdemucs", "1"), 3, T),
        new JobEvent.StageStarted("j1", Stage.SEPARATE, 1, 2, T),
        new JobEvent.StageProgressed("j1", Stage.SEPARATE, 1, 2, 0.25, T),
        new JobEvent.StageCompleted("j1", Stage.SEPARATE, 1, 2, Map.of("drums", "k1"), new ModelRef("htdemucs", "1"), T),
        new JobEvent.StageCompleted("j1", Stage.INGEST, 1, 1, Map.of(), null, T),
        new JobEvent.StageFailed("j1", Stage.DRUMS, 1, 1, ErrorCode.INFERENCE_FAILED, "boom", true, T),
        new JobEvent.StageSkipped("j1", Stage.LYRICS, 1, 1, "no ASR model", T),
        new JobEvent.JobCompleted("j1", 1, T),
        new JobEvent.JobFailed("j1", 1, Stage.INGEST, ErrorCode.AUDIO_CORRUPT, "bad header", T),
        new JobEvent.JobCancelled("j1", "user asked", T),
        new JobEvent.ReprocessRequested("j1", 2, Stage.DRUMS, List.of(Stage.DRUMS, Stage.PACKAGE), Map.of("drum_cnn", "2"), T));
  }

  @Test
  void everyEventTypeRoundTripsThroughItsStoredJson() {
    for (JobEvent e : oneOfEach()) {
      String stored = JobEventJson.toJson(e).encode();
      JobEvent back = JobEventJson.fromJson(JobEventType.typeNameOf(e), new io.vertx.core.json.JsonObject(stored));
      assertThat(back).isEqualTo(e);
    }
  }

  @Test
  void theSampleCoversEveryType() {
    Set<JobEventType> covered = oneOfEach().stream().map(JobEvent::type).collect(Collectors.toSet());
    assertThat(covered).isEqualTo(EnumSet.allOf(JobEventType.class));
  }
}
