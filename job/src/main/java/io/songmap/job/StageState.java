package io.songmap.job;

import io.songmap.job.stage.Stage;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one stage stands in its job. {@code run} and {@code attempt} are those of the latest
 * request (0 and 0 for a stage never requested); only a result for exactly that
 * {@code (stage, run, attempt)}, while the stage {@linkplain StageStatus#isAwaitingResult() awaits
 * one}, changes anything.
 *
 * @param notBefore  earliest start of the current attempt; {@code null} if never requested
 * @param fraction   progress of the current attempt in {@code [0, 1]}; 1 once done
 * @param outputs    the completed attempt's outputs; empty otherwise
 * @param model      the model of the completed attempt; {@code null} if none
 * @param lastError  the latest failure in the current run; {@code null} if none
 * @param skipReason why the stage was skipped; {@code null} unless skipped
 */
public record StageState(Stage stage, StageStatus status, int run, int attempt, Instant notBefore,
                         double fraction, Map<String, String> outputs, ModelRef model, JobError lastError,
                         String skipReason) {

    public StageState {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(status, "status");
        outputs = Map.copyOf(outputs);
    }

    static StageState pending(Stage stage) {
        return new StageState(stage, StageStatus.PENDING, 0, 0, null, 0, Map.of(), null, null, null);
    }

    /** Whether a result for this {@code (run, attempt)} is the one the stage is waiting for. */
    public boolean isCurrent(int run, int attempt) {
        return status.isAwaitingResult() && this.run == run && this.attempt == attempt;
    }

    public Optional<ModelRef> modelUsed() {
        return Optional.ofNullable(model);
    }

    public Optional<JobError> lastFailure() {
        return Optional.ofNullable(lastError);
    }

    StageState requested(int run, int attempt, Instant notBefore) {
        JobError keptError = run == this.run ? lastError : null;
        return new StageState(stage, StageStatus.REQUESTED, run, attempt, notBefore, 0, Map.of(), null,
                keptError, null);
    }

    StageState running() {
        return new StageState(stage, StageStatus.RUNNING, run, attempt, notBefore, fraction, outputs, model,
                lastError, skipReason);
    }

    StageState progressed(double fraction) {
        return new StageState(stage, StageStatus.RUNNING, run, attempt, notBefore, fraction, outputs, model,
                lastError, skipReason);
    }

    StageState completed(Map<String, String> outputs, ModelRef model) {
        return new StageState(stage, StageStatus.COMPLETED, run, attempt, notBefore, 1, outputs, model,
                lastError, null);
    }

    StageState failed(JobError error) {
        return new StageState(stage, StageStatus.FAILED, run, attempt, notBefore, fraction, Map.of(), null,
                error, null);
    }

    StageState skipped(String reason) {
        return new StageState(stage, StageStatus.SKIPPED, run, attempt, notBefore, 1, Map.of(), null,
                lastError, reason);
    }
}
