package io.songmap.job;

public enum JobStatus {
    /** No job with this id: the state before {@link JobEvent.JobSubmitted}. */
    ABSENT,
    /** Submitted; no stage has started yet. */
    SUBMITTED,
    /** A stage has started (or a reprocessing run was requested) and the job has not finished. */
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    /** Completed, failed or cancelled: no further stage will be requested unless it is reprocessed. */
    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** Submitted or running. */
    public boolean isActive() {
        return this == SUBMITTED || this == RUNNING;
    }
}
