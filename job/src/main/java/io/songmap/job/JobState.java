package io.songmap.job;

import io.songmap.job.stage.Stage;
import io.songmap.job.stage.StageGraph;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A job as its events leave it. Immutable; only {@link Job#evolve} makes a new one, on the write
 * path and on replay alike. {@link #EMPTY} is the state of a job that does not exist yet.
 */
public final class JobState {

    public static final JobState EMPTY = new JobState(null, null, JobStatus.ABSENT, 0, null, List.of(), 0,
            Map.of(), Map.of(), initialStages(), null, null, null, null, 0);

    private final String jobId;
    private final String tenant;
    private final JobStatus status;
    private final int run;
    private final AudioSource source;
    private final List<String> requestedOutputs;
    private final int priority;
    private final Map<String, String> metadata;
    private final Map<String, String> modelVersions;
    private final Map<Stage, StageState> stages;
    private final JobError error;
    private final String cancelReason;
    private final Instant submittedAt;
    private final Instant finishedAt;
    private final long version;

    private JobState(String jobId, String tenant, JobStatus status, int run, AudioSource source,
                     List<String> requestedOutputs, int priority, Map<String, String> metadata,
                     Map<String, String> modelVersions, Map<Stage, StageState> stages, JobError error,
                     String cancelReason, Instant submittedAt, Instant finishedAt, long version) {
        this.jobId = jobId;
        this.tenant = tenant;
        this.status = status;
        this.run = run;
        this.source = source;
        this.requestedOutputs = requestedOutputs;
        this.priority = priority;
        this.metadata = metadata;
        this.modelVersions = modelVersions;
        this.stages = stages;
        this.error = error;
        this.cancelReason = cancelReason;
        this.submittedAt = submittedAt;
        this.finishedAt = finishedAt;
        this.version = version;
    }

    /** Folds a stream of events, oldest first, into the state they leave. */
    public static JobState replay(Iterable<? extends JobEvent> events) {
        JobState state = EMPTY;
        for (JobEvent event : events) {
            state = Job.evolve(state, event);
        }
        return state;
    }

    private static Map<Stage, StageState> initialStages() {
        EnumMap<Stage, StageState> stages = new EnumMap<>(Stage.class);
        for (Stage stage : StageGraph.topologicalOrder()) {
            stages.put(stage, StageState.pending(stage));
        }
        return Collections.unmodifiableMap(stages);
    }

    // ---- queries

    /** Whether the job has been submitted. */
    public boolean exists() {
        return status != JobStatus.ABSENT;
    }

    /** The job id; {@code null} while the job does not exist. */
    public String jobId() {
        return jobId;
    }

    public String tenant() {
        return tenant;
    }

    public JobStatus status() {
        return status;
    }

    public boolean isFinished() {
        return status.isFinished();
    }

    /** The current run: 1 for the first, one more for each reprocessing; 0 while absent. */
    public int run() {
        return run;
    }

    public AudioSource source() {
        return source;
    }

    public List<String> requestedOutputs() {
        return requestedOutputs;
    }

    public int priority() {
        return priority;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Model name → version the current run uses. */
    public Map<String, String> modelVersions() {
        return modelVersions;
    }

    /** Every stage's state, in the graph's topological order. */
    public Map<Stage, StageState> stages() {
        return stages;
    }

    public StageState stage(Stage stage) {
        return stages.get(stage);
    }

    public StageStatus stageStatus(Stage stage) {
        return stages.get(stage).status();
    }

    /** The stage's current attempt number in the current run (0 if not requested). */
    public int attempt(Stage stage) {
        return stages.get(stage).attempt();
    }

    /** Whether a result for {@code (stage, run, attempt)} is the one the job is waiting for. */
    public boolean isCurrent(Stage stage, int run, int attempt) {
        return status.isActive() && stages.get(stage).isCurrent(run, attempt);
    }

    /** The outputs of the stage's completed attempt; empty unless the stage completed. */
    public Map<String, String> outputs(Stage stage) {
        return stages.get(stage).outputs();
    }

    /**
     * Overall progress in percent, {@code [0, 100]}: each stage contributes its
     * {@linkplain Stage#progressWeight() weight} times its fraction (1 when completed or skipped,
     * its last reported progress while running, 0 otherwise). A completed job is at 100.
     */
    public double progressPercent() {
        if (status == JobStatus.COMPLETED) {
            return 100;
        }
        double percent = 0;
        for (StageState stage : stages.values()) {
            double fraction = switch (stage.status()) {
                case COMPLETED, SKIPPED -> 1;
                case REQUESTED, RUNNING -> stage.fraction();
                case PENDING, FAILED -> 0;
            };
            percent += stage.stage().progressWeight() * fraction;
        }
        return Math.min(100, percent);
    }

    /** Why the job failed; empty unless it failed. */
    public Optional<JobError> error() {
        return Optional.ofNullable(error);
    }

    /** Why the job was cancelled; empty unless it was. */
    public Optional<String> cancelReason() {
        return Optional.ofNullable(cancelReason);
    }

    public Instant submittedAt() {
        return submittedAt;
    }

    /** When the job (its latest run) completed, failed or was cancelled; empty while it is active. */
    public Optional<Instant> finishedAt() {
        return Optional.ofNullable(finishedAt);
    }

    /** Number of events folded into this state: the stream version to append after. */
    public long version() {
        return version;
    }

    /**
     * What a stage works from: the audio source, and every output of every stage upstream of it,
     * named {@code <stage>.<output>}.
     */
    public Map<String, String> inputsFor(Stage stage) {
        Map<String, String> inputs = new LinkedHashMap<>();
        if (source != null) {
            inputs.put(source.kind() == AudioSource.Kind.URL ? "source.url" : "source.objectKey", source.location());
        }
        Set<Stage> upstreamStages = StageGraph.upstream(stage);
        for (Stage upstream : StageGraph.topologicalOrder()) {
            if (upstreamStages.contains(upstream)) {
                stages.get(upstream).outputs()
                        .forEach((name, value) -> inputs.put(upstream.wireName() + "." + name, value));
            }
        }
        return inputs;
    }

    // ---- transitions, for Job.evolve only

    static JobState submitted(JobEvent.JobSubmitted event) {
        return new JobState(event.jobId(), event.tenant(), JobStatus.SUBMITTED, 1, event.source(),
                event.requestedOutputs(), event.priority(), event.metadata(), event.modelVersions(),
                initialStages(), null, null, event.at(), null, 1);
    }

    JobState withStage(StageState stage, JobStatus newStatus) {
        EnumMap<Stage, StageState> next = new EnumMap<>(stages);
        next.put(stage.stage(), stage);
        return new JobState(jobId, tenant, newStatus, run, source, requestedOutputs, priority, metadata,
                modelVersions, Collections.unmodifiableMap(next), error, cancelReason, submittedAt, finishedAt,
                version + 1);
    }

    JobState finished(JobStatus newStatus, JobError newError, String newCancelReason, Instant at) {
        return new JobState(jobId, tenant, newStatus, run, source, requestedOutputs, priority, metadata,
                modelVersions, stages, newError, newCancelReason, submittedAt, at, version + 1);
    }

    JobState reprocessing(int newRun, List<Stage> rerun, Map<String, String> newModelVersions) {
        EnumMap<Stage, StageState> next = new EnumMap<>(stages);
        for (Stage stage : rerun) {
            next.put(stage, StageState.pending(stage));
        }
        return new JobState(jobId, tenant, JobStatus.RUNNING, newRun, source, requestedOutputs, priority,
                metadata, newModelVersions, Collections.unmodifiableMap(next), null, null, submittedAt, null,
                version + 1);
    }

    // ---- value semantics

    @Override
    public boolean equals(Object other) {
        return other instanceof JobState that
                && version == that.version
                && run == that.run
                && priority == that.priority
                && status == that.status
                && Objects.equals(jobId, that.jobId)
                && Objects.equals(tenant, that.tenant)
                && Objects.equals(source, that.source)
                && requestedOutputs.equals(that.requestedOutputs)
                && metadata.equals(that.metadata)
                && modelVersions.equals(that.modelVersions)
                && stages.equals(that.stages)
                && Objects.equals(error, that.error)
                && Objects.equals(cancelReason, that.cancelReason)
                && Objects.equals(submittedAt, that.submittedAt)
                && Objects.equals(finishedAt, that.finishedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, status, run, stages, version);
    }

    @Override
    public String toString() {
        return "JobState[" + jobId + " " + status + " run " + run + " v" + version + " " + stages.values() + "]";
    }
}
