package io.songmap.stages.runtime;

import io.songmap.job.ErrorCode;
import io.songmap.job.ModelRef;
import java.util.Map;
import java.util.Objects;

/** What a stage handler made of its task; becomes CompleteStage, FailStage or SkipStage. */
public sealed interface StageResult {

  /**
   * @param outputs artifact references and small values by name
   * @param model the model that produced them, or {@code null} for stages without one
   */
  record Completed(Map<String, String> outputs, ModelRef model) implements StageResult {
    public Completed {
      outputs = Map.copyOf(outputs);
    }
  }

  /** The attempt failed; the code decides whether the job tries again. */
  record Failed(ErrorCode code, String message) implements StageResult {
    public Failed {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }

  /** The job goes on without this (optional) analysis. */
  record Skipped(String reason) implements StageResult {
    public Skipped {
      Objects.requireNonNull(reason, "reason");
    }
  }

  static StageResult completed(Map<String, String> outputs, ModelRef model) {
    return new Completed(outputs, model);
  }

  static StageResult completed(Map<String, String> outputs) {
    return new Completed(outputs, null);
  }

  static StageResult failed(ErrorCode code, String message) {
    return new Failed(code, message);
  }

  static StageResult skipped(String reason) {
    return new Skipped(reason);
  }
}
