package io.songmap.job;

import io.songmap.job.stage.Stage;

/**
 * Why the job refused a command. Thrown by {@link Job#decide}; the shell translates each to an HTTP
 * status, a DLQ record or a log line by {@link #code()}. A command that is merely stale (a late or
 * duplicate stage result) is not rejected: it decides to no events.
 */
public abstract sealed class JobRejection extends RuntimeException {

    private final String jobId;

    private JobRejection(String jobId, String message) {
        super(message, null, false, false);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }

    /** A stable, upper-case code for the kind of rejection, e.g. {@code JOB_NOT_FOUND}. */
    public abstract String code();

    /** The command is for a job that was never submitted. */
    public static final class JobNotFound extends JobRejection {
        public JobNotFound(String jobId) {
            super(jobId, "job " + jobId + " does not exist");
        }

        @Override
        public String code() {
            return "JOB_NOT_FOUND";
        }
    }

    /** A SubmitJob for a job id that is taken. */
    public static final class JobAlreadyExists extends JobRejection {
        public JobAlreadyExists(String jobId) {
            super(jobId, "job " + jobId + " already exists");
        }

        @Override
        public String code() {
            return "JOB_ALREADY_EXISTS";
        }
    }

    /** The command needs an active job, but the job completed or failed. */
    public static final class JobAlreadyFinished extends JobRejection {
        private final JobStatus status;

        public JobAlreadyFinished(String jobId, JobStatus status) {
            super(jobId, "job " + jobId + " is already " + status);
            this.status = status;
        }

        public JobStatus status() {
            return status;
        }

        @Override
        public String code() {
            return "JOB_ALREADY_FINISHED";
        }
    }

    /** ReprocessJob for a job that is not completed or failed (still active, or cancelled). */
    public static final class ReprocessNotAllowed extends JobRejection {
        private final JobStatus status;

        public ReprocessNotAllowed(String jobId, JobStatus status) {
            super(jobId, "job " + jobId + " is " + status + "; only completed or failed jobs can be reprocessed");
            this.status = status;
        }

        public JobStatus status() {
            return status;
        }

        @Override
        public String code() {
            return "REPROCESS_NOT_ALLOWED";
        }
    }

    /** SkipStage for a stage the job cannot go on without. */
    public static final class StageNotSkippable extends JobRejection {
        private final Stage stage;

        public StageNotSkippable(String jobId, Stage stage) {
            super(jobId, "stage " + stage + " of job " + jobId + " cannot be skipped");
            this.stage = stage;
        }

        public Stage stage() {
            return stage;
        }

        @Override
        public String code() {
            return "STAGE_NOT_SKIPPABLE";
        }
    }
}
