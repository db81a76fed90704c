package io.songmap.stages.jobs;

import io.songmap.job.AudioSource;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEvent.JobCancelled;
import io.songmap.job.JobEvent.JobCompleted;
import io.songmap.job.JobEvent.JobFailed;
import io.songmap.job.JobEvent.JobSubmitted;
import io.songmap.job.JobEvent.ReprocessRequested;
import io.songmap.job.JobEvent.StageCompleted;
import io.songmap.job.JobEvent.StageFailed;
import io.songmap.job.JobEvent.StageProgressed;
import io.songmap.job.JobEvent.StageRequested;
import io.songmap.job.JobEvent.StageSkipped;
import io.songmap.job.JobEvent.StageStarted;
import io.songmap.job.JobEventType;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored JSON shape of each job event (the event store's {@code data}). Field names are part of
 * the stored contract: change them only with a new schema version and an upcaster.
 */
public final class JobEventJson {
  private JobEventJson() {}

  public static JsonObject toJson(JobEvent event) {
    JsonObject j = new JsonObject().put("jobId", event.jobId()).put("at", event.at().toString());
    switch (event.type()) {
      case JOB_SUBMITTED -> {
        JobSubmitted e = (JobSubmitted) event;
        j.put("tenant", e.tenant())
            .put("source", new JsonObject().put("kind", e.source().kind().name()).put("location", e.source().location()))
            .put("requestedOutputs", new JsonArray(List.copyOf(e.requestedOutputs())))
            .put("priority", e.priority())
            .put("metadata", map(e.metadata()))
            .put("modelVersions", map(e.modelVersions()));
      }
      case STAGE_REQUESTED -> {
        StageRequested e = (StageRequested) event;
        stage(j, e.stage(), e.run(), e.attempt())
            .put("notBefore", e.notBefore().toString())
            .put("inputs", map(e.inputs()))
            .put("modelVersions", map(e.modelVersions()))
            .put("priority", e.priority());
      }
      case STAGE_STARTED -> {
        StageStarted e = (StageStarted) event;
        stage(j, e.stage(), e.run(), e.attempt());
      }
      case STAGE_PROGRESSED -> {
        StageProgressed e = (StageProgressed) event;
        stage(j, e.stage(), e.run(), e.attempt()).put("fraction", e.fraction());
      }
      case STAGE_COMPLETED -> {
        StageCompleted e = (StageCompleted) event;
        stage(j, e.stage(), e.run(), e.attempt()).put("outputs", map(e.outputs()));
        if (e.model() != null) {
          j.put("model", new JsonObject().put("name", e.model().name()).put("version", e.model().version()));
        }
      }
      case STAGE_FAILED -> {
        StageFailed e = (StageFailed) event;
        stage(j, e.stage(), e.run(), e.attempt())
            .put("code", e.code().name()).put("message", e.message()).put("willRetry", e.willRetry());
      }
      case STAGE_SKIPPED -> {
        StageSkipped e = (StageSkipped) event;
        stage(j, e.stage(), e.run(), e.attempt()).put("reason", e.reason());
      }
      case JOB_COMPLETED -> j.put("run", ((JobCompleted) event).run());
      case JOB_FAILED -> {
        JobFailed e = (JobFailed) event;
        j.put("run", e.run()).put("stage", e.stage().wireName()).put("code", e.code().name()).put("message", e.message());
      }
      case JOB_CANCELLED -> j.put("reason", ((JobCancelled) event).reason());
      case REPROCESS_REQUESTED -> {
        ReprocessRequested e = (ReprocessRequested) event;
        j.put("run", e.run()).put("fromStage", e.fromStage().wireName())
            .put("stages", new JsonArray(e.stages().stream().map(Stage::wireName).toList()))
            .put("modelVersions", map(e.modelVersions()));
      }
    }
    return j;
  }

  /** Reads an event stored under {@code typeName}. */
  public static JobEvent fromJson(String typeName, JsonObject j) {
    String jobId = j.getString("jobId");
    Instant at = Instant.parse(j.getString("at"));
    return switch (JobEventType.fromTypeName(typeName)) {
      case JOB_SUBMITTED -> {
        JsonObject src = j.getJsonObject("source");
        yield new JobSubmitted(jobId, j.getString("tenant"),
            new AudioSource(AudioSource.Kind.valueOf(src.getString("kind")), src.getString("location")),
            strings(j.getJsonArray("requestedOutputs")), j.getInteger("priority", 0),
            map(j.getJsonObject("metadata")), map(j.getJsonObject("modelVersions")), at);
      }
      case STAGE_REQUESTED -> new StageRequested(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"),
          Instant.parse(j.getString("notBefore")), map(j.getJsonObject("inputs")), map(j.getJsonObject("modelVersions")),
          j.getInteger("priority", 0), at);
      case STAGE_STARTED -> new StageStarted(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"), at);
      case STAGE_PROGRESSED -> new StageProgressed(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"),
          j.getDouble("fraction"), at);
      case STAGE_COMPLETED -> {
        JsonObject m = j.getJsonObject("model");
        yield new StageCompleted(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"),
            map(j.getJsonObject("outputs")), m == null ? null : new ModelRef(m.getString("name"), m.getString("version")), at);
      }
      case STAGE_FAILED -> new StageFailed(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"),
          ErrorCode.valueOf(j.getString("code")), j.getString("message"), j.getBoolean("willRetry"), at);
      case STAGE_SKIPPED -> new StageSkipped(jobId, stage(j), j.getInteger("run"), j.getInteger("attempt"),
          j.getString("reason"), at);
      case JOB_COMPLETED -> new JobCompleted(jobId, j.getInteger("run"), at);
      case JOB_FAILED -> new JobFailed(jobId, j.getInteger("run"), Stage.fromWireName(j.getString("stage")),
          ErrorCode.valueOf(j.getString("code")), j.getString("message"), at);
      case JOB_CANCELLED -> new JobCancelled(jobId, j.getString("reason"), at);
      case REPROCESS_REQUESTED -> new ReprocessRequested(jobId, j.getInteger("run"),
          Stage.fromWireName(j.getString("fromStage")),
          strings(j.getJsonArray("stages")).stream().map(Stage::fromWireName).toList(),
          map(j.getJsonObject("modelVersions")), at);
    };
  }

  private static JsonObject stage(JsonObject j, Stage stage, int run, int attempt) {
    return j.put("stage", stage.wireName()).put("run", run).put("attempt", attempt);
  }

  private static Stage stage(JsonObject j) {
    return Stage.fromWireName(j.getString("stage"));
  }

  private static JsonObject map(Map<String, String> m) {
    return new JsonObject(new HashMap<>(m));
  }

  private static Map<String, String> map(JsonObject j) {
    Map<String, String> m = new HashMap<>();
    if (j != null) {
      j.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return m;
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }
}
