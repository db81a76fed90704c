package io.songmap.stages.runtime;

import io.songmap.job.stage.Stage;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Work for one attempt of one stage, as a processor receives it: decoded from the Avro {@link
 * io.songmap.avro.StageTask} on the stage's topic.
 *
 * @param eventId the StageRequested event this task comes from
 * @param inputs the audio source and every upstream output as {@code <stage>.<name>}
 * @param modelVersions model name → version for this run
 */
public record StageTask(String eventId, String tenant, String jobId, Stage stage, int run, int attempt,
    Instant notBefore, Map<String, String> inputs, Map<String, String> modelVersions, String correlationId,
    int priority) {

  public StageTask {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(notBefore, "notBefore");
    if (run < 1 || attempt < 1) {
      throw new IllegalArgumentException("run and attempt count from 1: run " + run + ", attempt " + attempt);
    }
    inputs = Map.copyOf(inputs);
    modelVersions = Map.copyOf(modelVersions);
  }

  /**
   * @throws IllegalArgumentException when the record's values are not a valid task (unknown stage,
   *     attempt 0, missing fields)
   */
  public static StageTask fromAvro(io.songmap.avro.StageTask t) {
    try {
      return new StageTask(t.getEventId(), t.getTenant(), t.getJobId(), Stage.fromWireName(t.getStage()), t.getRun(),
          t.getAttempt(), t.getNotBefore(), t.getInputs(), t.getModelVersions(), t.getCorrelationId(),
          t.getPriority());
    } catch (NullPointerException e) {
      throw new IllegalArgumentException("incomplete stage task: " + e.getMessage(), e);
    }
  }

  /** The attempt's identity, {@code jobId/stage/run/attempt}. */
  public String attemptKey() {
    return tenant + "/" + jobId + "/" + stage.wireName() + "/" + run + "/" + attempt;
  }
}
