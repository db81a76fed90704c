package io.songmap.stages.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.AppendResult;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.StreamSlice;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.JobRejection;
import io.songmap.job.JobState;
import io.songmap.job.StageStatus;
import io.songmap.job.stage.Stage;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Commands for one job that queue up behind a running one go to the store together (real PostgreSQL). */
class JobCommandsIT {
  static final String TENANT = "acme";
  static Vertx vertx;
  static Pool pool;
  static PgEventStore store;
  static JobCommands commands;
  /** Appends every result at once: what queues behind a running command is all that goes together. */
  static JobCommands ungathered;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(TestPostgres.freshDatabase("job_commands_it"))
        .with(new PoolOptions().setMaxSize(4)).using(vertx).build();
    store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
    commands = new JobCommands(vertx, store);
    ungathered = new JobCommands(vertx, store, io.songmap.job.Job.withDefaults(), 20, 100, Duration.ZERO);
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @Test
  void results_that_queue_behind_a_running_command_are_appended_in_one_transaction() {
    String job = "j-" + UUID.randomUUID();
    JobState state = submit(job);
    state = complete(job, state, Stage.INGEST);
    JobState separated = complete(job, state, Stage.SEPARATE);
    assertThat(separated.stageStatus(Stage.DRUMS)).isEqualTo(StageStatus.REQUESTED);

    // The three analyses finish together: the first goes at once, the other two wait for it, then go as one.
    List<Future<JobCommands.Outcome>> results = onContext(() -> {
      List<Future<JobCommands.Outcome>> all = new ArrayList<>();
      for (Stage s : List.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS)) {
        all.add(ungathered.handle(TENANT, completeCommand(job, separated, s), JobCommands.Meta.none(), separated));
      }
      return all;
    });
    for (Future<JobCommands.Outcome> f : results) {
      assertThat(await(f).appended()).as("each caller gets the events of its own command")
          .anySatisfy(e -> assertThat(e).isInstanceOf(io.songmap.job.JobEvent.StageCompleted.class));
    }
    assertPackageRequestedAfter(results, job, 2);
  }

  @Test
  void sibling_results_arriving_a_few_milliseconds_apart_go_in_one_transaction() {
    String job = "j-" + UUID.randomUUID();
    JobState separated = complete(job, complete(job, submit(job), Stage.INGEST), Stage.SEPARATE);

    // Each of the first two results only waits for its siblings, so it is held; the third requests package
    // and takes the other two with it.
    List<Future<JobCommands.Outcome>> results = new ArrayList<>();
    List<Stage> analyses = List.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS);
    for (int i = 0; i < analyses.size(); i++) {
      Stage s = analyses.get(i);
      Promise<JobCommands.Outcome> p = Promise.promise();
      results.add(p.future());
      vertx.setTimer(1 + i, id ->
          commands.handle(TENANT, completeCommand(job, separated, s), JobCommands.Meta.none(), separated)
              .onComplete(p));
    }
    for (Future<JobCommands.Outcome> f : results) {
      await(f);
    }
    assertPackageRequestedAfter(results, job, 1);
  }

  @Test
  void a_result_whose_siblings_do_not_come_is_appended_when_the_window_ends() {
    String job = "j-" + UUID.randomUUID();
    JobState separated = complete(job, complete(job, submit(job), Stage.INGEST), Stage.SEPARATE);
    long t0 = System.nanoTime();
    JobState after = complete(job, separated, Stage.DRUMS);
    long heldMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(after.stageStatus(Stage.DRUMS)).isEqualTo(StageStatus.COMPLETED);
    assertThat(heldMs).as("held for the window").isGreaterThanOrEqualTo(JobCommands.DEFAULT_GATHER_WINDOW.toMillis());
    assertThat(rows("SELECT count(*) FROM es_event WHERE stream_id = $1 AND type = 'StageCompleted'"
        + " AND data->>'stage' = 'drums'", job).get(0).getLong(0)).isEqualTo(1);
  }

  @Test
  void a_finished_job_is_not_answered_from_memory() {
    String job = "j-" + UUID.randomUUID();
    JobState state = complete(job, complete(job, submit(job), Stage.INGEST), Stage.SEPARATE);
    for (Stage s : List.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS, Stage.PACKAGE)) {
      state = complete(job, state, s);
    }
    assertThat(state.isFinished()).isTrue();
    // Another process reprocesses it: this one has not seen that, and must not believe its own old state.
    JobState reprocessed = await(ungathered.handle(TENANT,
        new JobCommand.ReprocessJob(job, Stage.DRUMS, Map.of(), Instant.now()), JobCommands.Meta.none())).state();
    assertThat(await(commands.recent(TENANT, job)).version()).isEqualTo(reprocessed.version());
  }

  @Test
  void a_rejected_command_in_a_queued_batch_fails_alone() {
    String job = "j-" + UUID.randomUUID();
    JobState submitted = submit(job);
    List<Future<JobCommands.Outcome>> results = onContext(() -> List.of(
        commands.handle(TENANT, completeCommand(job, submitted, Stage.INGEST), JobCommands.Meta.none(), submitted),
        commands.handle(TENANT, submitCommand(job), JobCommands.Meta.none(), submitted),
        commands.handle(TENANT, new JobCommand.CompleteStage(job, Stage.SEPARATE, 1, 1, Map.of(), null, Instant.now()),
            JobCommands.Meta.none(), submitted)));
    await(results.get(0));
    Throwable rejected = awaitFailure(results.get(1));
    assertThat(rejected).isInstanceOf(JobRejection.JobAlreadyExists.class);
    JobState after = await(results.get(2)).state();
    assertThat(after.stageStatus(Stage.SEPARATE)).isEqualTo(StageStatus.COMPLETED);
    assertThat(after.stageStatus(Stage.DRUMS)).isEqualTo(StageStatus.REQUESTED);
  }

  @Test
  void a_submission_goes_straight_to_its_append_and_a_repeated_one_is_still_refused() {
    AtomicInteger reads = new AtomicInteger();
    EventStore counting = new EventStore() {
      @Override
      public Future<AppendResult> append(String tenant, String streamId, ExpectedVersion expected,
          List<NewEvent> events) {
        return store.append(tenant, streamId, expected, events);
      }

      @Override
      public Future<StreamSlice> readStream(String tenant, String streamId, long fromVersion, int maxCount,
          ReadOptions options) {
        reads.incrementAndGet();
        return store.readStream(tenant, streamId, fromVersion, maxCount, options);
      }

      @Override
      public Future<AllEventsPage> readAll(Position after, EventFilter filter, int maxCount) {
        return store.readAll(after, filter, maxCount);
      }

      @Override
      public Future<Void> archive(String tenant, String streamId) {
        return store.archive(tenant, streamId);
      }
    };
    String job = "j-" + UUID.randomUUID();
    JobState submitted = await(new JobCommands(vertx, counting).handle(TENANT, submitCommand(job),
        JobCommands.Meta.none())).state();
    assertThat(submitted.stageStatus(Stage.INGEST)).isEqualTo(StageStatus.REQUESTED);
    assertThat(reads).as("a new job is not read before its first append").hasValue(0);

    // Another process, which has never seen the job, gets the same submission: its append meets the stream, the
    // command is decided again against what is there, and refused; nothing more is written.
    Throwable again = awaitFailure(new JobCommands(vertx, counting).handle(TENANT, submitCommand(job),
        JobCommands.Meta.none()));
    assertThat(again).isInstanceOf(JobRejection.JobAlreadyExists.class);
    assertThat(reads).as("read once, after the conflict").hasValue(1);
    assertThat(rows("SELECT count(*) FROM es_event WHERE stream_id = $1", job).get(0).getLong(0))
        .isEqualTo(submitted.version());
  }

  /** The third result requested package, and the three results took {@code transactions} transactions. */
  private static void assertPackageRequestedAfter(List<Future<JobCommands.Outcome>> results, String job,
      long transactions) {
    assertThat(await(results.get(2)).state().stageStatus(Stage.PACKAGE)).isEqualTo(StageStatus.REQUESTED);
    List<Row> rows = rows("SELECT count(DISTINCT tx) FROM es_event WHERE stream_id = $1 AND type = 'StageCompleted'"
        + " AND data->>'stage' IN ('drums', 'melody_bass', 'lyrics')", job);
    assertThat(rows.get(0).getLong(0)).as("transactions for the three results").isEqualTo(transactions);
  }

  private static JobState submit(String job) {
    return await(commands.handle(TENANT, submitCommand(job), JobCommands.Meta.none())).state();
  }

  private static JobCommand submitCommand(String job) {
    return new JobCommand.SubmitJob(job, TENANT, AudioSource.url("https://example.test/" + job + ".mp3"),
        List.of("midi"), 0, Map.of(), Map.of(), Instant.now());
  }

  private static JobState complete(String job, JobState state, Stage stage) {
    return await(commands.handle(TENANT, completeCommand(job, state, stage), JobCommands.Meta.none(), state)).state();
  }

  private static JobCommand completeCommand(String job, JobState state, Stage stage) {
    var s = state.stage(stage);
    return new JobCommand.CompleteStage(job, stage, s.run(), s.attempt(), Map.of(), null, Instant.now());
  }

  /** Issues the commands from one event-loop task, so that they meet in the job's queue. */
  private static <T> T onContext(Supplier<T> issue) {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> p.complete(issue.get()));
    return await(p.future());
  }

  private static List<Row> rows(String sql, String arg) {
    List<Row> out = new ArrayList<>();
    await(pool.preparedQuery(sql).execute(Tuple.of(arg))).forEach(out::add);
    return out;
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable awaitFailure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }
}
