package io.songmap.job;

import io.songmap.job.stage.Stage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What happened to a job: the facts in its event stream. {@link Job#evolve} folds them into a
 * {@link JobState}; their stable type names are in {@link JobEventType}.
 */
public sealed interface JobEvent {

    String jobId();

    /** When it happened (the {@code at} of the command that decided it). */
    Instant at();

    /** The event's type: its stable name, and the tag that switches over events are exhaustive on. */
    JobEventType type();

    /** An event about one attempt of one stage. */
    sealed interface StageEvent extends JobEvent {
        Stage stage();

        int run();

        int attempt();
    }

    /** The job exists; its first stage is requested in the same decision. */
    record JobSubmitted(String jobId, String tenant, AudioSource source, List<String> requestedOutputs,
                        int priority, Map<String, String> metadata, Map<String, String> modelVersions,
                        Instant at) implements JobEvent {
        @Override
        public JobEventType type() {
            return JobEventType.JOB_SUBMITTED;
        }

        public JobSubmitted {
            Require.text(jobId, "jobId");
            Require.text(tenant, "tenant");
            Objects.requireNonNull(source, "source");
            requestedOutputs = List.copyOf(requestedOutputs);
            metadata = Map.copyOf(metadata);
            modelVersions = Map.copyOf(modelVersions);
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Work for a processor: attempt {@code attempt} of {@code stage} in run {@code run}, not to be
     * started before {@code notBefore} (later than {@code at} for a retry after backoff).
     *
     * @param inputs        what the stage works from: {@code source.url} or {@code source.objectKey},
     *                      and every output of every upstream stage as {@code <stage>.<name>}
     *                      (e.g. {@code separate.vocals})
     * @param modelVersions the job's model name → version map for this run
     * @param priority      the job's priority, carried so that the stage task made from this event has it
     */
    record StageRequested(String jobId, Stage stage, int run, int attempt, Instant notBefore,
                          Map<String, String> inputs, Map<String, String> modelVersions, int priority, Instant at)
            implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_REQUESTED;
        }

        public StageRequested {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(notBefore, "notBefore");
            inputs = Map.copyOf(inputs);
            modelVersions = Map.copyOf(modelVersions);
            Objects.requireNonNull(at, "at");
        }
    }

    record StageStarted(String jobId, Stage stage, int run, int attempt, Instant at) implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_STARTED;
        }

        public StageStarted {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(at, "at");
        }
    }

    /** The attempt has done {@code fraction} (in {@code [0, 1]}) of its work. */
    record StageProgressed(String jobId, Stage stage, int run, int attempt, double fraction, Instant at)
            implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_PROGRESSED;
        }

        public StageProgressed {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Require.fraction(fraction);
            Objects.requireNonNull(at, "at");
        }
    }

    /** @param model the model that produced the outputs, or {@code null} for stages without one */
    record StageCompleted(String jobId, Stage stage, int run, int attempt, Map<String, String> outputs,
                          ModelRef model, Instant at) implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_COMPLETED;
        }

        public StageCompleted {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            outputs = Map.copyOf(outputs);
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * The attempt failed. With {@code willRetry} the next attempt is requested in the same decision;
     * without it the job fails in the same decision.
     */
    record StageFailed(String jobId, Stage stage, int run, int attempt, ErrorCode code, String message,
                       boolean willRetry, Instant at) implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_FAILED;
        }

        public StageFailed {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
        }
    }

    record StageSkipped(String jobId, Stage stage, int run, int attempt, String reason, Instant at)
            implements StageEvent {
        @Override
        public JobEventType type() {
            return JobEventType.STAGE_SKIPPED;
        }

        public StageSkipped {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Every stage of run {@code run} completed or was skipped. */
    record JobCompleted(String jobId, int run, Instant at) implements JobEvent {
        @Override
        public JobEventType type() {
            return JobEventType.JOB_COMPLETED;
        }

        public JobCompleted {
            Require.text(jobId, "jobId");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Run {@code run} failed at {@code stage}: a non-retryable error, or retries ran out. */
    record JobFailed(String jobId, int run, Stage stage, ErrorCode code, String message, Instant at)
            implements JobEvent {
        @Override
        public JobEventType type() {
            return JobEventType.JOB_FAILED;
        }

        public JobFailed {
            Require.text(jobId, "jobId");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
        }
    }

    record JobCancelled(String jobId, String reason, Instant at) implements JobEvent {
        @Override
        public JobEventType type() {
            return JobEventType.JOB_CANCELLED;
        }

        public JobCancelled {
            Require.text(jobId, "jobId");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Run {@code run} starts: {@code stages} go back to pending and are requested again as the graph
     * proceeds; the other stages keep their results.
     *
     * @param modelVersions the job's model name → version map from this run on
     */
    record ReprocessRequested(String jobId, int run, Stage fromStage, List<Stage> stages,
                              Map<String, String> modelVersions, Instant at) implements JobEvent {
        @Override
        public JobEventType type() {
            return JobEventType.REPROCESS_REQUESTED;
        }

        public ReprocessRequested {
            Require.text(jobId, "jobId");
            if (run < 2) {
                throw new IllegalArgumentException("a reprocessing run counts from 2: " + run);
            }
            Objects.requireNonNull(fromStage, "fromStage");
            stages = List.copyOf(stages);
            modelVersions = Map.copyOf(modelVersions);
            Objects.requireNonNull(at, "at");
        }
    }
}
