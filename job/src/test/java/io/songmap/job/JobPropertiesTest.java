package io.songmap.job;

import io.songmap.job.JobCommand.CompleteStage;
import io.songmap.job.JobCommand.FailStage;
import io.songmap.job.JobCommand.ReportProgress;
import io.songmap.job.JobCommand.ReprocessJob;
import io.songmap.job.JobCommand.SkipStage;
import io.songmap.job.JobCommand.StageCommand;
import io.songmap.job.JobCommand.StartStage;
import io.songmap.job.JobCommand.SubmitJob;
import io.songmap.job.JobEvent.StageRequested;
import io.songmap.job.retry.JitterSource;
import io.songmap.job.retry.RetryPolicy;
import io.songmap.job.stage.Stage;
import io.songmap.job.stage.StageGraph;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants of the decider over whole runs of a job, driven by simulated processors that work on
 * the requested attempts in a random interleaving. All commands carry the same time, so runs that
 * differ only in order can be compared state for state.
 */
class JobPropertiesTest {

    static final String JOB = "job-p";
    static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");

    final Job job = new Job(RetryPolicy.DEFAULT, JitterSource.seeded(11));

    /**
     * How the simulated processors behave.
     *
     * @param flaky      stages whose first attempt in each run fails with a retryable error
     * @param broken     a stage that fails every attempt, or null
     * @param skipped    analyses the processors skip
     * @param reprocess  the stage to reprocess from once the first run finishes, or null
     * @param order      seed of the interleaving of the processors' commands
     * @param noise      seed of the duplicated and late results mixed into a run
     */
    record Scenario(Set<Stage> flaky, Stage broken, Set<Stage> skipped, Stage reprocess, long order, long noise) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(
                Arbitraries.of(Stage.class).set(),
                Arbitraries.of(Stage.class).injectNull(0.7),
                Arbitraries.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS).set(),
                Arbitraries.of(Stage.class).injectNull(0.4),
                Arbitraries.longs(),
                Arbitraries.longs()).as(Scenario::new);
    }

    @Provide
    Arbitrary<Scenario> succeedingScenarios() {
        return scenarios().filter(scenario -> scenario.broken() == null);
    }

    @Property(seed = "20261123", tries = 300)
    void duplicated_and_late_results_change_nothing(@ForAll("scenarios") Scenario scenario) {
        List<JobCommand> clean = processorsRun(scenario);
        List<JobCommand> noisy = withNoise(clean, new Random(scenario.noise()));

        Outcome expected = decideAll(clean);
        Outcome actual = decideAll(noisy);

        assertThat(noisy.size()).isGreaterThanOrEqualTo(clean.size());
        assertThat(actual.state()).isEqualTo(expected.state());
        assertThat(actual.events()).isEqualTo(expected.events());
    }

    @Property(seed = "20261123", tries = 300)
    void package_is_requested_exactly_once_per_run_that_gets_past_the_analyses(
            @ForAll("scenarios") Scenario scenario) {
        Outcome outcome = decideAll(withNoise(processorsRun(scenario), new Random(scenario.noise())));

        Map<Integer, Long> packageRequestsByRun = outcome.events().stream()
                .filter(e -> e instanceof StageRequested r && r.stage() == Stage.PACKAGE && r.attempt() == 1)
                .collect(Collectors.groupingBy(e -> ((StageRequested) e).run(), Collectors.counting()));
        assertThat(packageRequestsByRun.values()).allMatch(count -> count == 1);
        if (outcome.state().status() == JobStatus.COMPLETED) {
            assertThat(packageRequestsByRun).containsKey(outcome.state().run());
        }
    }

    @Property(seed = "20261123", tries = 200)
    void the_interleaving_of_processors_does_not_change_the_outcome(
            @ForAll("succeedingScenarios") Scenario scenario, @ForAll long otherOrder) {
        Scenario reordered = new Scenario(scenario.flaky(), null, scenario.skipped(), scenario.reprocess(),
                otherOrder, scenario.noise());

        JobState one = decideAll(processorsRun(scenario)).state();
        JobState other = decideAll(processorsRun(reordered)).state();

        assertThat(one.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(other).isEqualTo(one);
    }

    @Property(seed = "20261123", tries = 200)
    void a_job_that_is_not_broken_completes_and_a_broken_one_fails_where_it_broke(
            @ForAll("scenarios") Scenario scenario) {
        JobState state = decideAll(processorsRun(scenario)).state();

        if (scenario.broken() == null) {
            assertThat(state.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(state.progressPercent()).isEqualTo(100);
            for (Stage stage : Stage.values()) {
                assertThat(state.stageStatus(stage))
                        .isEqualTo(scenario.skipped().contains(stage) ? StageStatus.SKIPPED : StageStatus.COMPLETED);
            }
        } else {
            assertThat(state.status()).isEqualTo(JobStatus.FAILED);
            assertThat(state.error()).hasValueSatisfying(error -> {
                assertThat(error.stage()).isEqualTo(scenario.broken());
                assertThat(error.attempt()).isEqualTo(job.retryPolicy().maxAttempts());
            });
        }
    }

    // ---- the simulation

    record Outcome(List<JobEvent> events, JobState state) {
    }

    Outcome decideAll(List<JobCommand> commands) {
        List<JobEvent> events = new ArrayList<>();
        JobState state = JobState.EMPTY;
        for (JobCommand command : commands) {
            for (JobEvent event : job.decide(command, state)) {
                events.add(event);
                state = Job.evolve(state, event);
            }
        }
        assertThat(JobState.replay(events)).isEqualTo(state);
        return new Outcome(events, state);
    }

    /**
     * The commands processors send while they work on every requested attempt, each attempt's
     * commands in order, different attempts interleaved at random. Once the first run has finished,
     * the job may be reprocessed once.
     */
    List<JobCommand> processorsRun(Scenario scenario) {
        Random random = new Random(scenario.order());
        List<JobCommand> commands = new ArrayList<>();
        List<Deque<JobCommand>> inFlight = new ArrayList<>();
        JobState state = JobState.EMPTY;
        JobCommand next = new SubmitJob(JOB, "acme", AudioSource.url("https://example.org/a.wav"), List.of(), 0,
                Map.of(), Map.of(), AT);
        while (next != null) {
            commands.add(next);
            for (JobEvent event : job.decide(next, state)) {
                state = Job.evolve(state, event);
                if (event instanceof StageRequested request) {
                    inFlight.add(processorCommands(request, scenario));
                }
            }
            inFlight.removeIf(Deque::isEmpty);
            if (!inFlight.isEmpty()) {
                next = inFlight.get(random.nextInt(inFlight.size())).poll();
            } else if (scenario.reprocess() != null && state.run() == 1) {
                next = new ReprocessJob(JOB, scenario.reprocess(), Map.of("model", "v2"), AT);
            } else {
                next = null;
            }
        }
        return commands;
    }

    static Deque<JobCommand> processorCommands(StageRequested request, Scenario scenario) {
        Stage stage = request.stage();
        int run = request.run();
        int attempt = request.attempt();
        Deque<JobCommand> commands = new ArrayDeque<>();
        commands.add(new StartStage(JOB, stage, run, attempt, AT));
        commands.add(new ReportProgress(JOB, stage, run, attempt, 0.5, AT));
        if (stage == scenario.broken() || (scenario.flaky().contains(stage) && attempt == 1)) {
            commands.add(new FailStage(JOB, stage, run, attempt, ErrorCode.INFERENCE_FAILED, "flaky", AT));
        } else if (scenario.skipped().contains(stage)) {
            commands.add(new SkipStage(JOB, stage, run, attempt, "nothing to analyse", AT));
        } else {
            commands.add(new CompleteStage(JOB, stage, run, attempt,
                    Map.of("out", stage + "/" + run + "/" + attempt), new ModelRef("m-" + stage, "1"), AT));
        }
        return commands;
    }

    /**
     * The clean commands with, after each, a random number of stage results that were already
     * sent: exact duplicates, and late results for the same attempt that contradict the one sent
     * (a completion where it failed, a failure where it completed).
     */
    static List<JobCommand> withNoise(List<JobCommand> clean, Random random) {
        List<JobCommand> noisy = new ArrayList<>();
        List<StageCommand> sent = new ArrayList<>();
        for (JobCommand command : clean) {
            noisy.add(command);
            if (command instanceof StageCommand stageCommand) {
                sent.add(stageCommand);
            }
            int extra = sent.isEmpty() ? 0 : random.nextInt(3);
            for (int i = 0; i < extra; i++) {
                StageCommand earlier = sent.get(random.nextInt(sent.size()));
                noisy.add(random.nextBoolean() ? earlier : contradiction(earlier));
            }
        }
        return noisy;
    }

    static StageCommand contradiction(StageCommand result) {
        return switch (result.kind()) {
            case COMPLETE_STAGE, SKIP_STAGE -> new FailStage(JOB, result.stage(), result.run(), result.attempt(),
                    ErrorCode.AUDIO_CORRUPT, "late", AT);
            case FAIL_STAGE -> StageGraph.isSkippable(result.stage())
                    ? new SkipStage(JOB, result.stage(), result.run(), result.attempt(), "late", AT)
                    : new CompleteStage(JOB, result.stage(), result.run(), result.attempt(), Map.of("late", "x"),
                    null, AT);
            case START_STAGE, REPORT_PROGRESS -> result;
            case SUBMIT_JOB, CANCEL_JOB, REPROCESS_JOB -> throw new IllegalArgumentException("not a stage command");
        };
    }
}
