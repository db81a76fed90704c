package io.songmap.stages.runtime;

import io.songmap.avro.wire.AvroWire;
import io.songmap.avro.wire.AvroWireException;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobCommand;
import io.songmap.job.JobRejection;
import io.songmap.job.JobState;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobCommands.Meta;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Runs one stage: consumes {@code songmap.stage.<stage>.v1} (group {@code songmap.stage.<stage>})
 * with a {@link BoundedConsumer} and, for each task, goes through the Job aggregate:
 * <ol>
 * <li>a record that is not a readable StageTask of this stage goes to the dead-letter topic;</li>
 * <li>a task whose attempt is no longer current (duplicate, late, cancelled, superseded) is
 *     acknowledged without running;</li>
 * <li>it waits until the task's {@code notBefore} and runs the {@link StageHandler} under the stage
 *     timeout, recording StartStage, throttled progress and heartbeats. StartStage is recorded before
 *     the handler runs, or, with a {@linkplain StageWorkerConfig#startReportDelay() start report delay},
 *     after that delay or in one append with the result, whichever comes first;</li>
 * <li>the result becomes CompleteStage, FailStage or SkipStage (a timeout FailStage TIMEOUT, an
 *     unexpected error FailStage INTERNAL); only once that is appended is the offset committed.</li>
 * </ol>
 * Every append goes through {@link JobCommands}: read, decide, append with the expected version. A
 * redelivered task whose attempt already completed decides to nothing, so every attempt has at most
 * one result however often it is delivered.
 */
public final class StageWorker extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(StageWorker.class);
  /** How much a heartbeat moves progress on when the handler reported nothing new: enough to be recorded. */
  static final double HEARTBEAT_STEP = 0.001;
  private static final double MAX_HEARTBEAT_FRACTION = 0.999;
  private static final int REPORT_TRIES = 5;

  private final Stage stage;
  private final StageHandler handler;
  private final JobCommands commands;
  private final StageWorkerConfig config;
  private final Map<String, Future<Void>> attemptsInFlight = new HashMap<>();

  private BoundedConsumer consumer;
  private WorkerExecutor workers;
  private volatile boolean stopping;

  public StageWorker(Stage stage, StageHandler handler, JobCommands commands, StageWorkerConfig config) {
    this.stage = Objects.requireNonNull(stage, "stage");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.commands = Objects.requireNonNull(commands, "commands");
    this.config = Objects.requireNonNull(config, "config");
  }

  public Stage stage() {
    return stage;
  }

  /** Tasks being worked on right now. */
  public int inFlight() {
    return consumer == null ? 0 : consumer.inFlight();
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor("stage-" + stage.wireName(), config.workerPoolSize());
    BoundedConsumer.Settings settings = new BoundedConsumer.Settings(config.bootstrapServers(),
        config.topics().stageGroup(stage), List.of(config.topics().stage(stage)), config.maxInFlight(), null, null,
        config.shutdownGrace(), null, config.consumerOverrides());
    consumer = BoundedConsumer.start(vertx, settings, this::onRecord);
    log.info("stage worker {} started (max {} in flight, timeout {})", stage, config.maxInFlight(),
        config.stageTimeout());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> drained = consumer == null ? Future.succeededFuture() : consumer.stop();
    return drained.eventually(() -> workers == null ? Future.succeededFuture() : workers.close())
        .onComplete(ar -> log.info("stage worker {} stopped", stage));
  }

  /**
   * A log line about one task, carrying its job, tenant and stage as key-values: JSON logs show them as fields of
   * their own, so one job's lines can be found across processes.
   */
  private static LoggingEventBuilder about(LoggingEventBuilder line, StageTask task) {
    return line.addKeyValue("jobId", task.jobId()).addKeyValue("tenant", task.tenant())
        .addKeyValue("stage", task.stage().wireName()).addKeyValue("run", task.run())
        .addKeyValue("attempt", task.attempt());
  }

  // ---- one record

  private Future<Void> onRecord(ConsumerRecord<byte[], byte[]> record) {
    StageTask task;
    try {
      task = StageTask.fromAvro(AvroWire.stageTask().decode(record.value()));
    } catch (AvroWireException e) {
      return Future.failedFuture(new DeadLetter("UNREADABLE_" + e.reason(), e.getMessage(), e));
    } catch (RuntimeException e) {
      return Future.failedFuture(new DeadLetter("INVALID_TASK", String.valueOf(e.getMessage()), e));
    }
    if (task.stage() != stage) {
      return Future.failedFuture(new DeadLetter("WRONG_STAGE",
          "a " + task.stage() + " task on the topic of " + stage));
    }
    String key = task.attemptKey();
    Future<Void> running = attemptsInFlight.get(key);
    if (running != null) {
      // The same attempt delivered twice while the first is still running: one result will do for both.
      return running;
    }
    Future<Void> processed = process(task);
    if (!processed.isComplete()) {
      attemptsInFlight.put(key, processed);
      processed.onComplete(ar -> attemptsInFlight.remove(key));
    }
    return processed;
  }

  private Future<Void> process(StageTask task) {
    Meta meta = new Meta(task.correlationId(), task.eventId());
    // The state this process last saw is usually current (it appended the events that led here); only a
    // fresh read may conclude that the attempt is not.
    return commands.recent(task.tenant(), task.jobId())
        .compose(known -> known.isCurrent(stage, task.run(), task.attempt()) ? Future.succeededFuture(known)
            : commands.load(task.tenant(), task.jobId()))
        .compose(state -> {
          if (!state.exists()) {
            return Future.failedFuture(new DeadLetter("JOB_NOT_FOUND",
                "job " + task.jobId() + " of tenant " + task.tenant() + " does not exist"));
          }
          if (!state.isCurrent(stage, task.run(), task.attempt())) {
            about(log.atDebug(), task).log("{}: not current any more ({}), acknowledged without running",
                task.attemptKey(), state.stage(stage).status());
            return Future.succeededFuture();
          }
          return waitUntil(task.notBefore()).compose(v -> new Attempt(task, meta, state).run());
        });
  }

  private Future<Void> waitUntil(Instant notBefore) {
    long waitMs = Duration.between(Instant.now(), notBefore).toMillis();
    if (waitMs <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> due = Promise.promise();
    vertx.setTimer(waitMs, id -> {
      if (stopping) {
        due.fail(new IllegalStateException("stage worker " + stage + " is stopping"));
      } else {
        due.complete();
      }
    });
    return due.future();
  }

  // ---- one running attempt

  /**
   * One attempt from StartStage to its result; lives on the worker's context. Its appends (start,
   * progress, result) go one after the other, each deciding against the state the previous one left.
   */
  private final class Attempt implements StageContext {
    private final StageTask task;
    private final Meta meta;
    private final Instant deadline;
    private JobState known;
    private Future<Void> appends = Future.succeededFuture();
    private boolean startRecorded;
    private boolean reportInFlight;
    private double recorded;
    private volatile double latest;
    private long lastReportNanos = System.nanoTime();
    private long progressTimer = -1;
    private volatile boolean abandoned;
    private boolean finished;

    Attempt(StageTask task, Meta meta, JobState state) {
      this.task = task;
      this.meta = meta;
      this.known = state;
      this.deadline = Instant.now().plus(config.stageTimeout());
      this.recorded = state.stage(stage).fraction();
    }

    Future<Void> run() {
      if (config.startReportDelay().isZero()) {
        return append(List.of()).compose(v -> {
          if (!known.isCurrent(stage, task.run(), task.attempt())) {
            about(log.atDebug(), task).log("{}: superseded before it started", task.attemptKey());
            return Future.succeededFuture();
          }
          return runHandler();
        });
      }
      vertx.setTimer(config.startReportDelay().toMillis(), id -> {
        if (!finished && !startRecorded) {
          enqueue(() -> append(List.of()));
        }
      });
      return runHandler();
    }

    private Future<Void> runHandler() {
      Promise<StageResult> result = Promise.promise();
      long timeout = vertx.setTimer(config.stageTimeout().toMillis(), id -> {
        abandoned = true;
        result.tryComplete(StageResult.failed(ErrorCode.TIMEOUT,
            stage + " ran longer than its timeout of " + config.stageTimeout()));
      });
      long heartbeat = vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> heartbeat());
      Future<StageResult> handled;
      try {
        handled = Objects.requireNonNull(handler.handle(task, this), "the handler returned no Future");
      } catch (RuntimeException e) {
        handled = Future.failedFuture(e);
      }
      handled.onComplete(ar -> {
        if (ar.succeeded() && ar.result() != null) {
          result.tryComplete(ar.result());
        } else {
          Throwable cause = ar.succeeded() ? new NullPointerException("the handler's result was null") : ar.cause();
          if (!result.future().isComplete()) {
            about(log.atError(), task).setCause(cause).log("{}: handler failed unexpectedly", task.attemptKey());
          }
          result.tryComplete(StageResult.failed(ErrorCode.INTERNAL, String.valueOf(cause)));
        }
      });
      return result.future().compose(outcome -> {
        finished = true;
        vertx.cancelTimer(timeout);
        vertx.cancelTimer(heartbeat);
        if (progressTimer >= 0) {
          vertx.cancelTimer(progressTimer);
        }
        return enqueue(() -> report(outcome, REPORT_TRIES));
      });
    }

    /** Runs {@code step} after every append queued before it, whatever their outcome. */
    private Future<Void> enqueue(Supplier<Future<Void>> step) {
      appends = appends.transform(ignored -> step.get());
      return appends;
    }

    /** Appends {@code commands}, preceded by StartStage while that is not recorded yet. */
    private Future<Void> append(List<JobCommand> commands) {
      List<JobCommand> batch = new ArrayList<>(commands.size() + 1);
      if (!startRecorded) {
        batch.add(new JobCommand.StartStage(task.jobId(), stage, task.run(), task.attempt(), Instant.now()));
      }
      batch.addAll(commands);
      if (batch.isEmpty()) {
        return Future.succeededFuture();
      }
      return StageWorker.this.commands.handleAll(task.tenant(), batch, meta, known).map(outcome -> {
        known = outcome.state();
        startRecorded = true;
        if (!known.isCurrent(stage, task.run(), task.attempt())) {
          abandoned = true; // cancelled or superseded meanwhile: the handler may stop early
        }
        return null;
      });
    }

    private Future<Void> report(StageResult outcome, int triesLeft) {
      Instant now = Instant.now();
      JobCommand command;
      if (outcome instanceof StageResult.Completed c) {
        command = new JobCommand.CompleteStage(task.jobId(), stage, task.run(), task.attempt(), c.outputs(), c.model(),
            now);
      } else if (outcome instanceof StageResult.Failed f) {
        command = new JobCommand.FailStage(task.jobId(), stage, task.run(), task.attempt(), f.code(), f.message(), now);
      } else {
        StageResult.Skipped s = (StageResult.Skipped) outcome;
        command = new JobCommand.SkipStage(task.jobId(), stage, task.run(), task.attempt(), s.reason(), now);
      }
      return append(List.of(command)).onSuccess(v -> about(log.atInfo(), task)
          .log("{}: {} recorded", task.attemptKey(), command.getClass().getSimpleName())).recover(err -> {
        if (err instanceof JobRejection.StageNotSkippable) {
          about(log.atError(), task).log("{}: the handler skipped a stage that cannot be skipped", task.attemptKey());
          return report(StageResult.failed(ErrorCode.INTERNAL, "the " + stage + " handler skipped a stage that"
              + " cannot be skipped: " + ((StageResult.Skipped) outcome).reason()), triesLeft);
        }
        if (err instanceof JobRejection) {
          return Future.failedFuture(new DeadLetter(((JobRejection) err).code(), err.getMessage(), err));
        }
        if (triesLeft <= 1 || stopping) {
          return Future.failedFuture(err);
        }
        about(log.atWarn(), task).log("{}: recording the result failed, retrying: {}", task.attemptKey(),
            err.toString());
        Promise<Void> later = Promise.promise();
        vertx.setTimer(100L << (REPORT_TRIES - triesLeft), id -> later.complete());
        return later.future().compose(v -> report(outcome, triesLeft - 1));
      });
    }

    // ---- progress and heartbeats

    @Override
    public Vertx vertx() {
      return vertx;
    }

    @Override
    public void reportProgress(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("progress is a fraction in [0, 1]: " + fraction);
      }
      if (fraction <= latest) {
        return;
      }
      latest = fraction;
      context.runOnContext(v -> progressed());
    }

    private void progressed() {
      if (finished || reportInFlight || progressTimer >= 0 || latest <= recorded) {
        return;
      }
      long sinceLast = System.nanoTime() - lastReportNanos;
      long wait = config.progressInterval().toNanos() - sinceLast;
      if (wait <= 0) {
        record(latest);
      } else {
        progressTimer = vertx.setTimer(Math.max(1, wait / 1_000_000), id -> {
          progressTimer = -1;
          progressed();
        });
      }
    }

    private void heartbeat() {
      if (finished || reportInFlight) {
        return;
      }
      if (System.nanoTime() - lastReportNanos < config.heartbeatInterval().toNanos() / 2) {
        return; // progress was recorded recently: that is a heartbeat already
      }
      double next = Math.max(latest, Math.min(MAX_HEARTBEAT_FRACTION, recorded + HEARTBEAT_STEP));
      if (next > recorded) {
        record(next);
      }
    }

    private void record(double fraction) {
      reportInFlight = true;
      lastReportNanos = System.nanoTime();
      JobCommand command = new JobCommand.ReportProgress(task.jobId(), stage, task.run(), task.attempt(), fraction,
          Instant.now());
      enqueue(() -> finished ? Future.succeededFuture() : append(List.of(command))
          .map(v -> {
            recorded = Math.max(recorded, fraction);
            return (Void) null;
          })
          .otherwise(err -> {
            about(log.atWarn(), task).log("{}: recording progress failed: {}", task.attemptKey(), err.toString());
            return null;
          }))
          .onComplete(ar -> {
            reportInFlight = false;
            if (!finished && latest > recorded) {
              progressed();
            }
          });
    }

    @Override
    public <T> Future<T> executeBlocking(Callable<T> work) {
      return workers.executeBlocking(work, false);
    }

    @Override
    public Instant deadline() {
      return deadline;
    }

    @Override
    public boolean isAbandoned() {
      return abandoned || stopping;
    }
  }
}
