package io.songmap.gateway.status;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.job.JobState;
import io.songmap.job.StageState;
import io.songmap.job.stage.Stage;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * What {@code GET /jobs/{id}} shows of a job: its {@code job_status} row, or the same computed from its events
 * while the projection has not caught up.
 *
 * @param stages stage wire name → {status, run, attempt, progress, error?, skipReason?, model?}
 * @param outputs {@code <stage>.<name>} → value, for every completed stage
 */
public record JobStatusView(String tenant, String jobId, String state, int run, double progress, JsonObject stages,
    String errorCode, String errorMessage, String errorStage, JsonObject outputs, Instant createdAt,
    Instant updatedAt, Instant finishedAt, long version, long seq) {

  public boolean isActive() {
    return state.equals("SUBMITTED") || state.equals("RUNNING");
  }

  /** The view of a replayed job; {@code seq} is the global position of its first event. */
  public static JobStatusView fromState(JobState state, Instant updatedAt, long seq) {
    JsonObject stages = new JsonObject();
    JsonObject outputs = new JsonObject();
    for (Map.Entry<Stage, StageState> e : state.stages().entrySet()) {
      StageState s = e.getValue();
      JsonObject j = new JsonObject().put("status", s.status().name()).put("run", s.run())
          .put("attempt", s.attempt()).put("progress", s.fraction());
      s.lastFailure().ifPresent(err -> j.put("error",
          new JsonObject().put("code", err.code().name()).put("message", err.message())));
      if (s.skipReason() != null) {
        j.put("skipReason", s.skipReason());
      }
      s.modelUsed().ifPresent(m -> j.put("model", new JsonObject().put("name", m.name()).put("version", m.version())));
      stages.put(e.getKey().wireName(), j);
      s.outputs().forEach((name, value) -> outputs.put(e.getKey().wireName() + "." + name, value));
    }
    String errorCode = null;
    String errorMessage = null;
    String errorStage = null;
    if (state.error().isPresent()) {
      errorCode = state.error().get().code().name();
      errorMessage = state.error().get().message();
      errorStage = state.error().get().stage().wireName();
    } else if (state.cancelReason().isPresent()) {
      errorCode = "CANCELLED";
      errorMessage = state.cancelReason().get();
    }
    return new JobStatusView(state.tenant(), state.jobId(), state.status().name(), state.run(),
        state.progressPercent(), stages, errorCode, errorMessage, errorStage, outputs, state.submittedAt(), updatedAt,
        state.finishedAt().orElse(null), state.version(), seq);
  }

  static JobStatusView fromRow(Row r) {
    return new JobStatusView(r.getString("tenant"), r.getString("job_id"), r.getString("state"),
        r.getInteger("run"), r.getDouble("progress"), json(r.getValue("stages")), r.getString("error_code"),
        r.getString("error_message"), r.getString("error_stage"), json(r.getValue("outputs")),
        instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("updated_at")),
        instant(r.getOffsetDateTime("finished_at")), r.getLong("version"), r.getLong("seq"));
  }

  private static JsonObject json(Object value) {
    if (value instanceof JsonObject j) {
      return j;
    }
    return value == null ? new JsonObject() : new JsonObject(value.toString());
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  /** The API's JSON, with links under {@code base} (e.g. {@code /api/v1}). */
  public JsonObject toJson(String base) {
    String self = base + "/jobs/" + jobId;
    JsonObject artifacts = new JsonObject();
    for (String name : outputs.fieldNames()) {
      Object value = outputs.getValue(name);
      if (value instanceof String s) {
        artifactName(s).ifPresent(a -> artifacts.put(name, self + "/artifacts/" + a));
      }
    }
    JsonObject j = new JsonObject().put("id", jobId).put("state", state).put("run", run)
        .put("progress", Math.round(progress * 10) / 10.0).put("stages", stages)
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString())
        .put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("version", version)
        .put("outputs", outputs)
        .put("links", new JsonObject().put("self", self).put("events", self + "/events").put("artifacts", artifacts));
    j.put("error", errorCode == null ? null
        : new JsonObject().put("code", errorCode).put("message", errorMessage).put("stage", errorStage));
    return j;
  }

  /** The artifact name of an output value that is a key of this job's artifacts. */
  private java.util.Optional<String> artifactName(String value) {
    try {
      ArtifactKey key = ArtifactKey.parse(value);
      if (key.tenant().equals(tenant) && key.jobId().equals(jobId)) {
        return java.util.Optional.of(key.name());
      }
    } catch (IllegalArgumentException notAKey) {
      // a small result value, not an artifact reference
    }
    return java.util.Optional.empty();
  }
}
