package io.songmap.job;

import io.songmap.job.JobCommand.CancelJob;
import io.songmap.job.JobCommand.CompleteStage;
import io.songmap.job.JobCommand.FailStage;
import io.songmap.job.JobCommand.ReportProgress;
import io.songmap.job.JobCommand.ReprocessJob;
import io.songmap.job.JobCommand.SkipStage;
import io.songmap.job.JobCommand.StageCommand;
import io.songmap.job.JobCommand.StartStage;
import io.songmap.job.JobCommand.SubmitJob;
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
import io.songmap.job.retry.JitterSource;
import io.songmap.job.retry.RetryPolicy;
import io.songmap.job.stage.Stage;
import io.songmap.job.stage.StageGraph;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Job aggregate as a decider: {@link #decide} turns a command and the current state into new
 * events (or a {@link JobRejection}); {@link #evolve} folds one event into the state. Neither does
 * I/O or reads a clock: time comes in with the command, retry jitter from the {@link JitterSource}.
 *
 * <p>The shell around it: read the job's events, {@link JobState#replay} them, {@code decide},
 * append the new events expecting {@link JobState#version()}, and on a version conflict start over.
 *
 * <p>Rules, all here:
 * <ul>
 * <li>Submitting requests {@code ingest}. When a stage is completed or skipped, every stage whose
 *     predecessors are now all completed or skipped is requested (fan-out after {@code separate};
 *     {@code package} once, when all three analyses are done). When all are, the job completes.</li>
 * <li>A stage command for an attempt that is not current (older attempt, older run, a stage already
 *     done, a finished job) decides to no events; so does a repeat of one already applied.</li>
 * <li>A retryable failure requests the next attempt with backoff ({@link RetryPolicy}) until the
 *     attempts run out; then, or at once for a non-retryable {@link ErrorCode}, the job fails.</li>
 * <li>Cancelling stops the job where it is. Reprocessing a completed or failed job starts run
 *     {@code run + 1}: see {@link ReprocessJob}.</li>
 * </ul>
 */
public final class Job {

    private final RetryPolicy retryPolicy;
    private final JitterSource jitter;

    public Job(RetryPolicy retryPolicy, JitterSource jitter) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
    }

    /** The default retry policy with jitter seeded by the attempt's identity. */
    public static Job withDefaults() {
        return new Job(RetryPolicy.DEFAULT, JitterSource.seeded(0));
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * The events {@code command} leads to from {@code state}, oldest first; empty when it changes
     * nothing.
     *
     * @throws JobRejection             when the job refuses the command
     * @throws IllegalArgumentException when {@code state} is another job's
     */
    public List<JobEvent> decide(JobCommand command, JobState state) {
        if (state.exists() && !state.jobId().equals(command.jobId())) {
            throw new IllegalArgumentException(
                    "command for job " + command.jobId() + " decided against the state of job " + state.jobId());
        }
        return switch (command.kind()) {
            case SUBMIT_JOB -> submit((SubmitJob) command, state);
            case START_STAGE -> start((StartStage) command, state);
            case REPORT_PROGRESS -> reportProgress((ReportProgress) command, state);
            case COMPLETE_STAGE -> complete((CompleteStage) command, state);
            case FAIL_STAGE -> fail((FailStage) command, state);
            case SKIP_STAGE -> skip((SkipStage) command, state);
            case CANCEL_JOB -> cancel((CancelJob) command, state);
            case REPROCESS_JOB -> reprocess((ReprocessJob) command, state);
        };
    }

    /** The state after {@code event}. Total: applies any event as the fact it is. */
    public static JobState evolve(JobState state, JobEvent event) {
        return switch (event.type()) {
            case JOB_SUBMITTED -> JobState.submitted((JobSubmitted) event);
            case STAGE_REQUESTED -> {
                StageRequested e = (StageRequested) event;
                yield state.withStage(state.stage(e.stage()).requested(e.run(), e.attempt(), e.notBefore()),
                        state.status());
            }
            case STAGE_STARTED -> {
                StageStarted e = (StageStarted) event;
                yield state.withStage(state.stage(e.stage()).running(), active(state));
            }
            case STAGE_PROGRESSED -> {
                StageProgressed e = (StageProgressed) event;
                yield state.withStage(state.stage(e.stage()).progressed(e.fraction()), active(state));
            }
            case STAGE_COMPLETED -> {
                StageCompleted e = (StageCompleted) event;
                yield state.withStage(state.stage(e.stage()).completed(e.outputs(), e.model()), active(state));
            }
            case STAGE_FAILED -> {
                StageFailed e = (StageFailed) event;
                JobError error = new JobError(e.stage(), e.attempt(), e.code(), e.message());
                yield state.withStage(state.stage(e.stage()).failed(error), active(state));
            }
            case STAGE_SKIPPED -> {
                StageSkipped e = (StageSkipped) event;
                yield state.withStage(state.stage(e.stage()).skipped(e.reason()), active(state));
            }
            case JOB_COMPLETED -> state.finished(JobStatus.COMPLETED, null, null, event.at());
            case JOB_FAILED -> {
                JobFailed e = (JobFailed) event;
                JobError error = new JobError(e.stage(), state.attempt(e.stage()), e.code(), e.message());
                yield state.finished(JobStatus.FAILED, error, null, e.at());
            }
            case JOB_CANCELLED -> state.finished(JobStatus.CANCELLED, null, ((JobCancelled) event).reason(),
                    event.at());
            case REPROCESS_REQUESTED -> {
                ReprocessRequested e = (ReprocessRequested) event;
                yield state.reprocessing(e.run(), e.stages(), e.modelVersions());
            }
        };
    }

    private static JobStatus active(JobState state) {
        return state.status() == JobStatus.SUBMITTED ? JobStatus.RUNNING : state.status();
    }

    // ---- submit, cancel, reprocess

    private static List<JobEvent> submit(SubmitJob c, JobState state) {
        if (state.exists()) {
            throw new JobRejection.JobAlreadyExists(c.jobId());
        }
        JobSubmitted submitted = new JobSubmitted(c.jobId(), c.tenant(), c.source(), c.requestedOutputs(),
                c.priority(), c.metadata(), c.modelVersions(), c.at());
        return proceed(state, List.of(submitted), c.at());
    }

    private static List<JobEvent> cancel(CancelJob c, JobState state) {
        requireExists(c, state);
        return switch (state.status()) {
            case CANCELLED -> List.of();
            case COMPLETED, FAILED -> throw new JobRejection.JobAlreadyFinished(c.jobId(), state.status());
            case SUBMITTED, RUNNING -> List.of(new JobCancelled(c.jobId(), c.reason(), c.at()));
            case ABSENT -> throw new JobRejection.JobNotFound(c.jobId());
        };
    }

    private static List<JobEvent> reprocess(ReprocessJob c, JobState state) {
        requireExists(c, state);
        if (state.status() != JobStatus.COMPLETED && state.status() != JobStatus.FAILED) {
            throw new JobRejection.ReprocessNotAllowed(c.jobId(), state.status());
        }
        List<Stage> rerun = new ArrayList<>();
        for (Stage stage : StageGraph.topologicalOrder()) {
            if (stage == c.fromStage()
                    || StageGraph.downstream(c.fromStage()).contains(stage)
                    || !state.stageStatus(stage).isDone()) {
                rerun.add(stage);
            }
        }
        Map<String, String> modelVersions = new HashMap<>(state.modelVersions());
        modelVersions.putAll(c.modelVersions());
        ReprocessRequested requested =
                new ReprocessRequested(c.jobId(), state.run() + 1, c.fromStage(), rerun, modelVersions, c.at());
        return proceed(state, List.of(requested), c.at());
    }

    // ---- stage results

    private static List<JobEvent> start(StartStage c, JobState state) {
        if (isStale(c, state) || state.stageStatus(c.stage()) == StageStatus.RUNNING) {
            return List.of();
        }
        return List.of(new StageStarted(c.jobId(), c.stage(), c.run(), c.attempt(), c.at()));
    }

    private static List<JobEvent> reportProgress(ReportProgress c, JobState state) {
        if (isStale(c, state)) {
            return List.of();
        }
        StageState stage = state.stage(c.stage());
        // Progress only moves forward: a repeated or reordered report is not news.
        if (stage.status() == StageStatus.RUNNING && c.fraction() <= stage.fraction()) {
            return List.of();
        }
        return List.of(new StageProgressed(c.jobId(), c.stage(), c.run(), c.attempt(), c.fraction(), c.at()));
    }

    private static List<JobEvent> complete(CompleteStage c, JobState state) {
        if (isStale(c, state)) {
            return List.of();
        }
        StageCompleted completed =
                new StageCompleted(c.jobId(), c.stage(), c.run(), c.attempt(), c.outputs(), c.model(), c.at());
        return proceed(state, List.of(completed), c.at());
    }

    private static List<JobEvent> skip(SkipStage c, JobState state) {
        requireExists(c, state);
        if (!StageGraph.isSkippable(c.stage())) {
            throw new JobRejection.StageNotSkippable(c.jobId(), c.stage());
        }
        if (isStale(c, state)) {
            return List.of();
        }
        StageSkipped skipped = new StageSkipped(c.jobId(), c.stage(), c.run(), c.attempt(), c.reason(), c.at());
        return proceed(state, List.of(skipped), c.at());
    }

    private List<JobEvent> fail(FailStage c, JobState state) {
        if (isStale(c, state)) {
            return List.of();
        }
        boolean willRetry = c.code().retryable() && retryPolicy.allowsRetryAfter(c.attempt());
        StageFailed failed = new StageFailed(c.jobId(), c.stage(), c.run(), c.attempt(), c.code(), c.message(),
                willRetry, c.at());
        if (willRetry) {
            double draw = jitter.next(c.jobId(), c.stage(), c.run(), c.attempt());
            Instant notBefore = c.at().plus(retryPolicy.delayAfter(c.attempt(), draw));
            StageRequested retry = new StageRequested(c.jobId(), c.stage(), c.run(), c.attempt() + 1, notBefore,
                    state.inputsFor(c.stage()), state.modelVersions(), state.priority(), c.at());
            return List.of(failed, retry);
        }
        String message = c.code().retryable()
                ? c.stage() + " failed " + c.attempt() + " times, giving up: " + c.message()
                : c.stage() + " failed: " + c.message();
        return List.of(failed, new JobFailed(c.jobId(), c.run(), c.stage(), c.code(), message, c.at()));
    }

    /**
     * Whether a stage command should be ignored: it is not for the attempt the job is waiting on,
     * or the job has finished.
     */
    private static boolean isStale(StageCommand c, JobState state) {
        requireExists(c, state);
        return !state.isCurrent(c.stage(), c.run(), c.attempt());
    }

    private static void requireExists(JobCommand c, JobState state) {
        if (!state.exists()) {
            throw new JobRejection.JobNotFound(c.jobId());
        }
    }

    // ---- the graph

    /**
     * {@code decided} followed by what the graph asks for once they are applied: the job's
     * completion if every stage is done, or else a request for every stage that has become ready
     * (pending, with all predecessors done).
     */
    private static List<JobEvent> proceed(JobState state, List<JobEvent> decided, Instant at) {
        JobState after = state;
        for (JobEvent event : decided) {
            after = evolve(after, event);
        }
        List<JobEvent> events = new ArrayList<>(decided);
        boolean allDone = after.stages().values().stream().allMatch(stage -> stage.status().isDone());
        if (allDone) {
            events.add(new JobCompleted(after.jobId(), after.run(), at));
            return List.copyOf(events);
        }
        for (Stage stage : StageGraph.topologicalOrder()) {
            if (isReady(after, stage)) {
                events.add(new StageRequested(after.jobId(), stage, after.run(), 1, at, after.inputsFor(stage),
                        after.modelVersions(), after.priority(), at));
            }
        }
        return List.copyOf(events);
    }

    private static boolean isReady(JobState state, Stage stage) {
        return state.stageStatus(stage) == StageStatus.PENDING
                && StageGraph.predecessors(stage).stream().allMatch(p -> state.stageStatus(p).isDone());
    }
}
