package io.songmap.job;

import io.songmap.job.JobCommand.CancelJob;
import io.songmap.job.JobCommand.CompleteStage;
import io.songmap.job.JobCommand.FailStage;
import io.songmap.job.JobCommand.ReportProgress;
import io.songmap.job.JobCommand.ReprocessJob;
import io.songmap.job.JobCommand.SkipStage;
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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.songmap.job.stage.Stage.DRUMS;
import static io.songmap.job.stage.Stage.INGEST;
import static io.songmap.job.stage.Stage.LYRICS;
import static io.songmap.job.stage.Stage.MELODY_BASS;
import static io.songmap.job.stage.Stage.PACKAGE;
import static io.songmap.job.stage.Stage.SEPARATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Given events, when a command, then events. */
class JobTest {

    static final String JOB = "job-1";
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final Instant T1 = T0.plusSeconds(1);
    static final AudioSource SOURCE = AudioSource.url("https://example.org/song.mp3");
    static final Map<String, String> NO_MODELS = Map.of();

    /** No jitter, so retry delays are exact: 2 s, 4 s, ... capped at 60 s. */
    final Job job = new Job(RetryPolicy.DEFAULT, JitterSource.fixed(0));
    final List<JobEvent> history = new ArrayList<>();

    // ---- given / when / then

    void given(JobEvent... events) {
        history.addAll(Arrays.asList(events));
    }

    /** Decides each command in turn and adds its events to the history, as the shell would. */
    void given(JobCommand... commands) {
        for (JobCommand command : commands) {
            history.addAll(job.decide(command, state()));
        }
    }

    List<JobEvent> when(JobCommand command) {
        return job.decide(command, state());
    }

    JobState state() {
        return JobState.replay(history);
    }

    // ---- commands and events, at T1 unless said otherwise

    static SubmitJob submit() {
        return new SubmitJob(JOB, "acme", SOURCE, List.of("midi"), 5, Map.of("title", "Song"),
                Map.of("demucs", "htdemucs"), T0);
    }

    static JobSubmitted submitted() {
        return new JobSubmitted(JOB, "acme", SOURCE, List.of("midi"), 5, Map.of("title", "Song"),
                Map.of("demucs", "htdemucs"), T0);
    }

    static StartStage start(Stage stage, int run, int attempt) {
        return new StartStage(JOB, stage, run, attempt, T1);
    }

    static CompleteStage complete(Stage stage, int run, int attempt) {
        return new CompleteStage(JOB, stage, run, attempt, Map.of("out", stage + "/r" + run + "a" + attempt),
                null, T1);
    }

    static StageCompleted completed(Stage stage, int run, int attempt) {
        return new StageCompleted(JOB, stage, run, attempt, Map.of("out", stage + "/r" + run + "a" + attempt),
                null, T1);
    }

    static FailStage fail(Stage stage, int run, int attempt, ErrorCode code) {
        return new FailStage(JOB, stage, run, attempt, code, "boom", T1);
    }

    static SkipStage skip(Stage stage, int run, int attempt) {
        return new SkipStage(JOB, stage, run, attempt, "instrumental", T1);
    }

    static ReportProgress progress(Stage stage, double fraction) {
        return new ReportProgress(JOB, stage, 1, 1, fraction, T1);
    }

    /** Commands that take a fresh job through to the point where the three analyses are requested. */
    static JobCommand[] throughSeparation() {
        return new JobCommand[]{submit(), complete(INGEST, 1, 1), complete(SEPARATE, 1, 1)};
    }

    static JobCommand[] throughCompletion() {
        return new JobCommand[]{submit(), complete(INGEST, 1, 1), complete(SEPARATE, 1, 1),
                complete(DRUMS, 1, 1), complete(MELODY_BASS, 1, 1), complete(LYRICS, 1, 1),
                complete(PACKAGE, 1, 1)};
    }

    static List<Stage> requestedStages(List<JobEvent> events) {
        return events.stream().filter(StageRequested.class::isInstance)
                .map(e -> ((StageRequested) e).stage()).toList();
    }

    @Nested
    class GivenNoJob {

        @Test
        void submitting_records_the_job_and_requests_ingest() {
            assertThat(when(submit())).containsExactly(
                    submitted(),
                    new StageRequested(JOB, INGEST, 1, 1, T0, Map.of("source.url", SOURCE.location()),
                            Map.of("demucs", "htdemucs"), 5, T0));
        }

        @Test
        void the_submitted_job_is_waiting_for_ingest() {
            given(submit());

            JobState state = state();
            assertThat(state.status()).isEqualTo(JobStatus.SUBMITTED);
            assertThat(state.stageStatus(INGEST)).isEqualTo(StageStatus.REQUESTED);
            assertThat(state.attempt(INGEST)).isEqualTo(1);
            assertThat(state.stageStatus(SEPARATE)).isEqualTo(StageStatus.PENDING);
            assertThat(state.progressPercent()).isZero();
            assertThat(state.version()).isEqualTo(2);
            assertThat(state.tenant()).isEqualTo("acme");
        }

        @Test
        void an_uploaded_source_is_passed_as_an_object_key() {
            SubmitJob upload = new SubmitJob(JOB, "acme", AudioSource.objectKey("uploads/1"), List.of(), 0,
                    Map.of(), NO_MODELS, T0);

            assertThat(((StageRequested) when(upload).get(1)).inputs())
                    .containsExactly(Map.entry("source.objectKey", "uploads/1"));
        }

        @Test
        void any_other_command_is_rejected_as_not_found() {
            assertThatThrownBy(() -> when(complete(INGEST, 1, 1)))
                    .isInstanceOfSatisfying(JobRejection.JobNotFound.class,
                            rejection -> assertThat(rejection.code()).isEqualTo("JOB_NOT_FOUND"));
            assertThatThrownBy(() -> when(new CancelJob(JOB, "no", T1)))
                    .isInstanceOf(JobRejection.JobNotFound.class);
            assertThatThrownBy(() -> when(new ReprocessJob(JOB, DRUMS, NO_MODELS, T1)))
                    .isInstanceOf(JobRejection.JobNotFound.class);
        }
    }

    @Nested
    class GivenASubmittedJob {

        @Test
        void submitting_it_again_is_rejected() {
            given(submitted());

            assertThatThrownBy(() -> when(submit())).isInstanceOf(JobRejection.JobAlreadyExists.class);
        }

        @Test
        void a_command_for_another_job_is_a_programming_error() {
            given(submit());

            assertThatThrownBy(() -> when(new CancelJob("job-2", "x", T1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void starting_ingest_marks_the_job_running() {
            given(submit());

            assertThat(when(start(INGEST, 1, 1))).containsExactly(new StageStarted(JOB, INGEST, 1, 1, T1));
            given(start(INGEST, 1, 1));
            assertThat(state().status()).isEqualTo(JobStatus.RUNNING);
            assertThat(state().stageStatus(INGEST)).isEqualTo(StageStatus.RUNNING);
        }

        @Test
        void completing_ingest_requests_separation_with_ingest_outputs_as_inputs() {
            given(submit(), start(INGEST, 1, 1));

            assertThat(when(complete(INGEST, 1, 1))).containsExactly(
                    completed(INGEST, 1, 1),
                    new StageRequested(JOB, SEPARATE, 1, 1, T1,
                            Map.of("source.url", SOURCE.location(), "ingest.out", "ingest/r1a1"),
                            Map.of("demucs", "htdemucs"), 5, T1));
        }

        @Test
        void a_stage_may_complete_without_having_reported_its_start() {
            given(submit());

            assertThat(when(complete(INGEST, 1, 1))).startsWith(completed(INGEST, 1, 1));
        }
    }

    @Nested
    class FanOutAndFanIn {

        @Test
        void completing_separation_requests_the_three_analyses() {
            given(submit(), complete(INGEST, 1, 1));

            List<JobEvent> events = when(complete(SEPARATE, 1, 1));

            assertThat(events.get(0)).isEqualTo(completed(SEPARATE, 1, 1));
            assertThat(requestedStages(events)).containsExactly(DRUMS, MELODY_BASS, LYRICS);
            assertThat(((StageRequested) events.get(1)).inputs())
                    .containsEntry("ingest.out", "ingest/r1a1")
                    .containsEntry("separate.out", "separate/r1a1");
        }

        @Test
        void package_waits_until_all_three_analyses_are_done() {
            given(throughSeparation());
            given(complete(DRUMS, 1, 1));

            assertThat(when(complete(MELODY_BASS, 1, 1))).containsExactly(completed(MELODY_BASS, 1, 1));
        }

        @Test
        void the_last_analysis_requests_package_once() {
            given(throughSeparation());
            given(complete(LYRICS, 1, 1), complete(DRUMS, 1, 1));

            List<JobEvent> events = when(complete(MELODY_BASS, 1, 1));

            assertThat(requestedStages(events)).containsExactly(PACKAGE);
            StageRequested request = (StageRequested) events.get(1);
            assertThat(request.inputs()).containsKeys("drums.out", "melody_bass.out", "lyrics.out",
                    "separate.out", "ingest.out", "source.url");
        }

        @Test
        void completing_package_completes_the_job() {
            JobCommand[] all = throughCompletion();
            given(Arrays.copyOf(all, all.length - 1));

            assertThat(when(complete(PACKAGE, 1, 1))).containsExactly(
                    completed(PACKAGE, 1, 1), new JobCompleted(JOB, 1, T1));
            given(complete(PACKAGE, 1, 1));
            assertThat(state().status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(state().finishedAt()).contains(T1);
            assertThat(state().progressPercent()).isEqualTo(100);
        }

        @Test
        void later_stages_find_earlier_outputs_and_models_in_the_state() {
            given(submit(), complete(INGEST, 1, 1));
            given(new CompleteStage(JOB, SEPARATE, 1, 1, Map.of("vocals", "stems/v.flac"),
                    new ModelRef("htdemucs", "4.0"), T1));

            assertThat(state().outputs(SEPARATE)).containsExactly(Map.entry("vocals", "stems/v.flac"));
            assertThat(state().stage(SEPARATE).modelUsed()).contains(new ModelRef("htdemucs", "4.0"));
            assertThat(state().inputsFor(LYRICS)).containsEntry("separate.vocals", "stems/v.flac");
        }
    }

    @Nested
    class StaleAndDuplicateResults {

        @Test
        void a_repeated_completion_changes_nothing() {
            given(submit(), complete(INGEST, 1, 1));

            assertThat(when(complete(INGEST, 1, 1))).isEmpty();
        }

        @Test
        void a_repeated_start_changes_nothing() {
            given(submit(), start(INGEST, 1, 1));

            assertThat(when(start(INGEST, 1, 1))).isEmpty();
        }

        @Test
        void a_result_for_an_attempt_never_requested_changes_nothing() {
            given(submit());

            assertThat(when(complete(INGEST, 1, 2))).isEmpty();
            assertThat(when(complete(SEPARATE, 1, 1))).isEmpty();
            assertThat(when(complete(INGEST, 2, 1))).isEmpty();
        }

        @Test
        void a_result_for_a_superseded_attempt_changes_nothing() {
            given(submit(), fail(INGEST, 1, 1, ErrorCode.TIMEOUT));

            assertThat(when(complete(INGEST, 1, 1))).isEmpty();
            assertThat(when(fail(INGEST, 1, 1, ErrorCode.TIMEOUT))).isEmpty();
            assertThat(when(start(INGEST, 1, 1))).isEmpty();
            assertThat(when(complete(INGEST, 1, 2))).startsWith(completed(INGEST, 1, 2));
        }

        @Test
        void a_conflicting_late_result_for_a_done_stage_changes_nothing() {
            given(submit(), complete(INGEST, 1, 1));

            assertThat(when(fail(INGEST, 1, 1, ErrorCode.AUDIO_CORRUPT))).isEmpty();
            assertThat(when(progress(INGEST, 0.5))).isEmpty();
        }

        @Test
        void progress_that_does_not_move_forward_changes_nothing() {
            given(submit(), progress(INGEST, 0.6));

            assertThat(when(progress(INGEST, 0.6))).isEmpty();
            assertThat(when(progress(INGEST, 0.3))).isEmpty();
            assertThat(when(progress(INGEST, 0.7)))
                    .containsExactly(new StageProgressed(JOB, INGEST, 1, 1, 0.7, T1));
        }

        @Test
        void results_after_the_job_completed_change_nothing() {
            given(throughCompletion());

            assertThat(when(complete(PACKAGE, 1, 1))).isEmpty();
            assertThat(when(fail(DRUMS, 1, 1, ErrorCode.INTERNAL))).isEmpty();
        }
    }

    @Nested
    class RetryableFailures {

        @Test
        void the_first_failure_requests_a_second_attempt_after_the_base_delay() {
            given(submit(), start(INGEST, 1, 1));

            assertThat(when(fail(INGEST, 1, 1, ErrorCode.TIMEOUT))).containsExactly(
                    new StageFailed(JOB, INGEST, 1, 1, ErrorCode.TIMEOUT, "boom", true, T1),
                    new StageRequested(JOB, INGEST, 1, 2, T1.plusSeconds(2),
                            Map.of("source.url", SOURCE.location()), Map.of("demucs", "htdemucs"), 5, T1));
        }

        @Test
        void the_delay_doubles_with_each_attempt() {
            Job patient = new Job(new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(5), 0),
                    JitterSource.fixed(0));
            history.addAll(patient.decide(submit(), state()));
            List<Instant> notBefore = new ArrayList<>();
            for (int attempt = 1; attempt <= 4; attempt++) {
                List<JobEvent> events = patient.decide(fail(INGEST, 1, attempt, ErrorCode.TIMEOUT), state());
                history.addAll(events);
                notBefore.add(((StageRequested) events.get(1)).notBefore());
            }

            assertThat(notBefore).containsExactly(T1.plusSeconds(2), T1.plusSeconds(4), T1.plusSeconds(5),
                    T1.plusSeconds(5));
        }

        @Test
        void jitter_shortens_the_delay_deterministically() {
            Job jittery = new Job(RetryPolicy.DEFAULT, JitterSource.fixed(0.5));
            history.addAll(jittery.decide(submit(), state()));

            List<JobEvent> once = jittery.decide(fail(INGEST, 1, 1, ErrorCode.TIMEOUT), state());
            List<JobEvent> again = jittery.decide(fail(INGEST, 1, 1, ErrorCode.TIMEOUT), state());

            // 2 s less 50 % jitter ratio × 0.5 draw = 1.5 s
            assertThat(((StageRequested) once.get(1)).notBefore()).isEqualTo(T1.plusMillis(1500));
            assertThat(once).isEqualTo(again);
        }

        @Test
        void the_state_shows_the_retry_waiting() {
            given(submit(), fail(INGEST, 1, 1, ErrorCode.MODEL_UNAVAILABLE));

            StageState ingest = state().stage(INGEST);
            assertThat(ingest.status()).isEqualTo(StageStatus.REQUESTED);
            assertThat(ingest.attempt()).isEqualTo(2);
            assertThat(ingest.notBefore()).isEqualTo(T1.plusSeconds(2));
            assertThat(ingest.lastFailure()).contains(new JobError(INGEST, 1, ErrorCode.MODEL_UNAVAILABLE, "boom"));
            assertThat(state().status()).isEqualTo(JobStatus.RUNNING);
        }

        @Test
        void the_last_allowed_failure_fails_the_job() {
            given(submit(), fail(INGEST, 1, 1, ErrorCode.TIMEOUT), fail(INGEST, 1, 2, ErrorCode.TIMEOUT));

            List<JobEvent> events = when(fail(INGEST, 1, 3, ErrorCode.TIMEOUT));

            assertThat(events).hasSize(2);
            assertThat(events.get(0)).isEqualTo(
                    new StageFailed(JOB, INGEST, 1, 3, ErrorCode.TIMEOUT, "boom", false, T1));
            JobFailed failed = (JobFailed) events.get(1);
            assertThat(failed.stage()).isEqualTo(INGEST);
            assertThat(failed.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failed.message()).contains("3 times");
        }

        @Test
        void a_failed_job_reports_why() {
            given(submit(), fail(INGEST, 1, 1, ErrorCode.TIMEOUT), fail(INGEST, 1, 2, ErrorCode.TIMEOUT),
                    fail(INGEST, 1, 3, ErrorCode.TIMEOUT));

            assertThat(state().status()).isEqualTo(JobStatus.FAILED);
            assertThat(state().error()).hasValueSatisfying(error -> {
                assertThat(error.stage()).isEqualTo(INGEST);
                assertThat(error.attempt()).isEqualTo(3);
                assertThat(error.code()).isEqualTo(ErrorCode.TIMEOUT);
            });
            assertThat(state().stageStatus(INGEST)).isEqualTo(StageStatus.FAILED);
            assertThat(state().finishedAt()).contains(T1);
        }
    }

    @Nested
    class NonRetryableFailures {

        @Test
        void corrupt_audio_fails_the_job_at_once() {
            given(submit(), start(INGEST, 1, 1));

            assertThat(when(fail(INGEST, 1, 1, ErrorCode.AUDIO_CORRUPT))).containsExactly(
                    new StageFailed(JOB, INGEST, 1, 1, ErrorCode.AUDIO_CORRUPT, "boom", false, T1),
                    new JobFailed(JOB, 1, INGEST, ErrorCode.AUDIO_CORRUPT, "ingest failed: boom", T1));
        }

        @Test
        void audio_too_long_fails_the_job_at_once() {
            given(submit());

            assertThat(when(fail(INGEST, 1, 1, ErrorCode.AUDIO_TOO_LONG)))
                    .last().isInstanceOf(JobFailed.class);
        }

        @Test
        void analyses_still_running_when_the_job_failed_change_nothing() {
            given(throughSeparation());
            given(fail(DRUMS, 1, 1, ErrorCode.INPUT_INVALID));

            assertThat(state().status()).isEqualTo(JobStatus.FAILED);
            assertThat(when(complete(MELODY_BASS, 1, 1))).isEmpty();
            assertThat(when(start(LYRICS, 1, 1))).isEmpty();
        }
    }

    @Nested
    class Skipping {

        @Test
        void a_skipped_analysis_lets_the_job_be_packaged() {
            given(throughSeparation());
            given(complete(DRUMS, 1, 1), complete(MELODY_BASS, 1, 1));

            List<JobEvent> events = when(skip(LYRICS, 1, 1));

            assertThat(events.get(0)).isEqualTo(new StageSkipped(JOB, LYRICS, 1, 1, "instrumental", T1));
            assertThat(requestedStages(events)).containsExactly(PACKAGE);
            assertThat(((StageRequested) events.get(1)).inputs()).doesNotContainKey("lyrics.out");
        }

        @Test
        void a_job_with_a_skipped_analysis_completes() {
            given(throughSeparation());
            given(skip(LYRICS, 1, 1), complete(DRUMS, 1, 1), complete(MELODY_BASS, 1, 1),
                    complete(PACKAGE, 1, 1));

            assertThat(state().status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(state().stage(LYRICS).skipReason()).isEqualTo("instrumental");
        }

        @Test
        void stages_the_job_cannot_do_without_are_not_skippable() {
            given(submit());

            assertThatThrownBy(() -> when(skip(INGEST, 1, 1)))
                    .isInstanceOf(JobRejection.StageNotSkippable.class)
                    .hasFieldOrPropertyWithValue("stage", INGEST);
        }

        @Test
        void a_repeated_skip_changes_nothing() {
            given(throughSeparation());
            given(skip(LYRICS, 1, 1));

            assertThat(when(skip(LYRICS, 1, 1))).isEmpty();
        }
    }

    @Nested
    class Cancelling {

        @Test
        void an_active_job_is_cancelled() {
            given(throughSeparation());

            assertThat(when(new CancelJob(JOB, "user", T1))).containsExactly(new JobCancelled(JOB, "user", T1));
        }

        @Test
        void results_after_cancelling_change_nothing() {
            given(throughSeparation());
            given(new CancelJob(JOB, "user", T1));

            assertThat(state().status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(state().cancelReason()).contains("user");
            assertThat(when(complete(DRUMS, 1, 1))).isEmpty();
            assertThat(when(complete(MELODY_BASS, 1, 1))).isEmpty();
            assertThat(when(fail(LYRICS, 1, 1, ErrorCode.TIMEOUT))).isEmpty();
        }

        @Test
        void cancelling_twice_changes_nothing() {
            given(submit(), new CancelJob(JOB, "user", T1));

            assertThat(when(new CancelJob(JOB, "again", T1))).isEmpty();
        }

        @Test
        void a_finished_job_cannot_be_cancelled() {
            given(throughCompletion());

            assertThatThrownBy(() -> when(new CancelJob(JOB, "late", T1)))
                    .isInstanceOf(JobRejection.JobAlreadyFinished.class)
                    .hasFieldOrPropertyWithValue("status", JobStatus.COMPLETED);
        }

        @Test
        void a_cancelled_job_cannot_be_reprocessed() {
            given(submit(), new CancelJob(JOB, "user", T1));

            assertThatThrownBy(() -> when(new ReprocessJob(JOB, INGEST, NO_MODELS, T1)))
                    .isInstanceOf(JobRejection.ReprocessNotAllowed.class);
        }
    }

    @Nested
    class Reprocessing {

        static final Instant T2 = T1.plusSeconds(60);

        @Test
        void from_drums_reruns_drums_and_package_in_a_new_run() {
            given(throughCompletion());

            List<JobEvent> events = when(new ReprocessJob(JOB, DRUMS, Map.of("drums", "cnn-2"), T2));

            assertThat(events.get(0)).isEqualTo(new ReprocessRequested(JOB, 2, DRUMS, List.of(DRUMS, PACKAGE),
                    Map.of("demucs", "htdemucs", "drums", "cnn-2"), T2));
            StageRequested drums = (StageRequested) events.get(1);
            assertThat(drums.stage()).isEqualTo(DRUMS);
            assertThat(drums.run()).isEqualTo(2);
            assertThat(drums.attempt()).isEqualTo(1);
            assertThat(drums.modelVersions()).containsEntry("drums", "cnn-2");
            assertThat(drums.inputs()).containsEntry("separate.out", "separate/r1a1");
            assertThat(events).hasSize(2);
        }

        @Test
        void upstream_results_stay_and_the_rerun_stages_start_over() {
            given(throughCompletion());
            JobState before = state();
            given(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2));

            JobState state = state();
            assertThat(state.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(state.run()).isEqualTo(2);
            assertThat(state.stage(INGEST)).isEqualTo(before.stage(INGEST));
            assertThat(state.stage(SEPARATE)).isEqualTo(before.stage(SEPARATE));
            assertThat(state.stage(LYRICS)).isEqualTo(before.stage(LYRICS));
            assertThat(state.stageStatus(DRUMS)).isEqualTo(StageStatus.REQUESTED);
            assertThat(state.stageStatus(PACKAGE)).isEqualTo(StageStatus.PENDING);
            assertThat(state.outputs(PACKAGE)).isEmpty();
            assertThat(state.finishedAt()).isEmpty();
        }

        @Test
        void the_new_run_goes_through_package_to_completion() {
            given(throughCompletion());
            given(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2));

            List<JobEvent> afterDrums = when(complete(DRUMS, 2, 1));
            assertThat(requestedStages(afterDrums)).containsExactly(PACKAGE);
            assertThat(((StageRequested) afterDrums.get(1)).run()).isEqualTo(2);

            given(complete(DRUMS, 2, 1));
            assertThat(when(complete(PACKAGE, 2, 1))).containsExactly(
                    completed(PACKAGE, 2, 1), new JobCompleted(JOB, 2, T1));
        }

        @Test
        void results_from_the_old_run_change_nothing() {
            given(throughCompletion());
            given(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2));

            assertThat(when(complete(DRUMS, 1, 1))).isEmpty();
            assertThat(when(start(DRUMS, 1, 1))).isEmpty();
            assertThat(when(complete(PACKAGE, 1, 1))).isEmpty();
        }

        @Test
        void from_separate_reruns_everything_downstream() {
            given(throughCompletion());

            List<JobEvent> events = when(new ReprocessJob(JOB, SEPARATE, NO_MODELS, T2));

            assertThat(((ReprocessRequested) events.get(0)).stages())
                    .containsExactly(SEPARATE, DRUMS, MELODY_BASS, LYRICS, PACKAGE);
            assertThat(requestedStages(events)).containsExactly(SEPARATE);
        }

        @Test
        void a_failed_job_reruns_the_failed_stage_and_every_unfinished_one() {
            given(throughSeparation());
            given(complete(LYRICS, 1, 1), fail(DRUMS, 1, 1, ErrorCode.AUDIO_CORRUPT));

            List<JobEvent> events = when(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2));

            assertThat(((ReprocessRequested) events.get(0)).stages()).containsExactly(DRUMS, MELODY_BASS, PACKAGE);
            assertThat(requestedStages(events)).containsExactly(DRUMS, MELODY_BASS);
            given(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2));
            assertThat(state().error()).isEmpty();
            assertThat(state().stage(LYRICS).status()).isEqualTo(StageStatus.COMPLETED);
        }

        @Test
        void an_active_job_is_not_reprocessed() {
            given(throughSeparation());

            assertThatThrownBy(() -> when(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2)))
                    .isInstanceOf(JobRejection.ReprocessNotAllowed.class)
                    .hasFieldOrPropertyWithValue("status", JobStatus.RUNNING);
        }

        @Test
        void the_stage_attempt_counts_start_again_in_the_new_run() {
            given(throughCompletion());
            given(new ReprocessJob(JOB, DRUMS, NO_MODELS, T2), fail(DRUMS, 2, 1, ErrorCode.TIMEOUT));

            assertThat(state().attempt(DRUMS)).isEqualTo(2);
            assertThat(state().stage(DRUMS).run()).isEqualTo(2);
        }
    }

    @Nested
    class Progress {

        @Test
        void stage_weights_add_up_to_a_hundred() {
            assertThat(Arrays.stream(Stage.values()).mapToInt(Stage::progressWeight).sum()).isEqualTo(100);
        }

        @Test
        void progress_counts_done_stages_fully_and_running_ones_by_their_fraction() {
            given(submit(), complete(INGEST, 1, 1), new ReportProgress(JOB, SEPARATE, 1, 1, 0.5, T1));

            assertThat(state().progressPercent()).isEqualTo(5 + 40 * 0.5);
        }

        @Test
        void skipped_stages_count_as_done() {
            given(throughSeparation());
            given(skip(LYRICS, 1, 1));

            assertThat(state().progressPercent()).isEqualTo(5 + 40 + 10);
        }

        @Test
        void a_retry_starts_its_stage_from_zero() {
            given(submit(), complete(INGEST, 1, 1), new ReportProgress(JOB, SEPARATE, 1, 1, 0.5, T1),
                    fail(SEPARATE, 1, 1, ErrorCode.TIMEOUT));

            assertThat(state().progressPercent()).isEqualTo(5);
        }
    }
}
