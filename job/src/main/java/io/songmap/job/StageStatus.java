package io.songmap.job;

public enum StageStatus {
    /** Not requested in the current run (yet). */
    PENDING,
    /** Requested (possibly as a retry, not before {@link StageState#notBefore()}); not started. */
    REQUESTED,
    /** A processor started, or reported progress on, the current attempt. */
    RUNNING,
    COMPLETED,
    /**
     * The latest attempt failed. A retry, if any, is requested in the same decision, so a stage
     * stays here only when its failure failed the job.
     */
    FAILED,
    SKIPPED;

    /** Completed or skipped: stages downstream may go on. */
    public boolean isDone() {
        return this == COMPLETED || this == SKIPPED;
    }

    /** Requested or running: a processor's result for the current attempt is awaited. */
    public boolean isAwaitingResult() {
        return this == REQUESTED || this == RUNNING;
    }
}
