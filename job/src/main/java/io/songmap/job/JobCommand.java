package io.songmap.job;

import io.songmap.job.stage.Stage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What someone asks of a job. Every command names its job and carries the time it is decided at
 * ({@code at}); the aggregate reads no clock of its own.
 *
 * <p>Stage commands ({@link StageCommand}) come from stage processors and name the attempt they
 * report on as {@code (stage, run, attempt)}, copied from the {@link JobEvent.StageRequested} they
 * work for. A stage command for an attempt that is not the current one decides to no events.
 */
public sealed interface JobCommand {

    String jobId();

    Instant at();

    /**
     * The command's kind: the tag that switches over commands are exhaustive on (Java 17 has no
     * pattern matching in {@code switch}; a switch over this enum without {@code default} fails to
     * compile when a kind is left out).
     */
    Kind kind();

    enum Kind {
        SUBMIT_JOB, START_STAGE, REPORT_PROGRESS, COMPLETE_STAGE, FAIL_STAGE, SKIP_STAGE, CANCEL_JOB, REPROCESS_JOB
    }

    /** A command reporting on one attempt of one stage. */
    sealed interface StageCommand extends JobCommand {
        Stage stage();

        int run();

        int attempt();
    }

    /**
     * Create a job. Rejected with {@link JobRejection.JobAlreadyExists} if the job exists; callers
     * that need idempotent submission (a partner's {@code partnerSubmissionId}) derive the job id
     * from that key.
     *
     * @param requestedOutputs what the submitter wants back (e.g. {@code musicxml}, {@code midi});
     *                         carried along for the package stage
     * @param modelVersions    model name → version to use; empty means each stage's default
     */
    record SubmitJob(String jobId, String tenant, AudioSource source, List<String> requestedOutputs,
                     int priority, Map<String, String> metadata, Map<String, String> modelVersions,
                     Instant at) implements JobCommand {
        @Override
        public Kind kind() {
            return Kind.SUBMIT_JOB;
        }

        public SubmitJob {
            Require.text(jobId, "jobId");
            Require.text(tenant, "tenant");
            Objects.requireNonNull(source, "source");
            requestedOutputs = List.copyOf(requestedOutputs);
            metadata = Map.copyOf(metadata);
            modelVersions = Map.copyOf(modelVersions);
            Objects.requireNonNull(at, "at");
        }
    }

    /** A processor took the attempt up. */
    record StartStage(String jobId, Stage stage, int run, int attempt, Instant at) implements StageCommand {
        @Override
        public Kind kind() {
            return Kind.START_STAGE;
        }

        public StartStage {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(at, "at");
        }
    }

    /** How far the attempt has got, as a fraction in {@code [0, 1]}; also serves as a heartbeat. */
    record ReportProgress(String jobId, Stage stage, int run, int attempt, double fraction, Instant at)
            implements StageCommand {
        @Override
        public Kind kind() {
            return Kind.REPORT_PROGRESS;
        }

        public ReportProgress {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Require.fraction(fraction);
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * The attempt succeeded.
     *
     * @param outputs artifact references (object keys, content hashes) and small result values, by
     *                name; later stages find them in {@link JobState#outputs(Stage)} and in their
     *                {@link JobEvent.StageRequested#inputs()}
     * @param model   the model that produced the result, or {@code null} for stages without one
     */
    record CompleteStage(String jobId, Stage stage, int run, int attempt, Map<String, String> outputs,
                         ModelRef model, Instant at) implements StageCommand {
        @Override
        public Kind kind() {
            return Kind.COMPLETE_STAGE;
        }

        public CompleteStage {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            outputs = Map.copyOf(outputs);
            Objects.requireNonNull(at, "at");
        }
    }

    /** The attempt failed; {@code code} decides whether the stage is tried again. */
    record FailStage(String jobId, Stage stage, int run, int attempt, ErrorCode code, String message,
                     Instant at) implements StageCommand {
        @Override
        public Kind kind() {
            return Kind.FAIL_STAGE;
        }

        public FailStage {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * The job goes on without this stage's result (e.g. lyrics of an instrumental). Only analyses
     * can be skipped ({@link io.songmap.job.stage.StageGraph#isSkippable}); others are rejected with
     * {@link JobRejection.StageNotSkippable}.
     */
    record SkipStage(String jobId, Stage stage, int run, int attempt, String reason, Instant at)
            implements StageCommand {
        @Override
        public Kind kind() {
            return Kind.SKIP_STAGE;
        }

        public SkipStage {
            Require.text(jobId, "jobId");
            Require.attempt(stage, run, attempt);
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Stop the job: no further stages are requested, and results still arriving change nothing.
     * Cancelling a cancelled job decides to no events; a completed or failed one is rejected with
     * {@link JobRejection.JobAlreadyFinished}.
     */
    record CancelJob(String jobId, String reason, Instant at) implements JobCommand {
        @Override
        public Kind kind() {
            return Kind.CANCEL_JOB;
        }

        public CancelJob {
            Require.text(jobId, "jobId");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Run a finished (completed or failed) job again from {@code fromStage} in a new run. Re-run are
     * {@code fromStage}, every stage downstream of it in the graph, and any stage that had not
     * completed or been skipped; the others keep their results. Active and cancelled jobs are
     * rejected with {@link JobRejection.ReprocessNotAllowed}.
     *
     * @param modelVersions model name → version; laid over the job's current versions
     */
    record ReprocessJob(String jobId, Stage fromStage, Map<String, String> modelVersions, Instant at)
            implements JobCommand {
        @Override
        public Kind kind() {
            return Kind.REPROCESS_JOB;
        }

        public ReprocessJob {
            Require.text(jobId, "jobId");
            Objects.requireNonNull(fromStage, "fromStage");
            modelVersions = Map.copyOf(modelVersions);
            Objects.requireNonNull(at, "at");
        }
    }
}
