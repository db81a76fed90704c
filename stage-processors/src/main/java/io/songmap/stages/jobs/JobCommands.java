package io.songmap.stages.jobs;

import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.WrongExpectedVersion;
import io.songmap.job.Job;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.job.JobState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The thin shell around the Job aggregate: read the job's stream, replay it, decide, append with the
 * expected version. On a version conflict (someone else appended first) it starts over, a bounded
 * number of times with a short randomized backoff; nothing else is retried here.
 */
public final class JobCommands {
  /** A job's events live in one stream per job, named by the job id, under its tenant. */
  public static String streamId(String jobId) {
    return jobId;
  }

  /** What a command did: the events it appended (possibly none) and the job's state afterwards. */
  public record Outcome(List<JobEvent> appended, JobState state) {}

  /** Tracing fields stored in each event's meta. */
  public record Meta(String correlationId, String causationId) {
    public static Meta none() {
      return new Meta(null, null);
    }

    JsonObject toJson() {
      JsonObject j = new JsonObject();
      if (correlationId != null) {
        j.put("correlationId", correlationId);
      }
      if (causationId != null) {
        j.put("causationId", causationId);
      }
      return j;
    }
  }

  private final Vertx vertx;
  private final EventStore store;
  private final Job job;
  private final int maxConflictRetries;

  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries) {
    this.vertx = vertx;
    this.store = store;
    this.job = job;
    if (maxConflictRetries < 0) {
      throw new IllegalArgumentException("maxConflictRetries must be >= 0");
    }
    this.maxConflictRetries = maxConflictRetries;
  }

  public JobCommands(Vertx vertx, EventStore store) {
    this(vertx, store, Job.withDefaults(), 20);
  }

  /** The job's current state (empty state when it does not exist for this tenant). */
  public Future<JobState> load(String tenant, String jobId) {
    return store.readStream(tenant, streamId(jobId), 1).map(slice -> replay(slice.events()));
  }

  public static JobState replay(List<RecordedEvent> events) {
    JobState state = JobState.EMPTY;
    for (RecordedEvent e : events) {
      state = Job.evolve(state, JobEventJson.fromJson(e.type(), e.dataJson()));
    }
    return state;
  }

  /**
   * Decides {@code command} against the job's current state and appends the result. Fails with a
   * {@link io.songmap.job.JobRejection} when the job refuses it.
   */
  public Future<Outcome> handle(String tenant, JobCommand command, Meta meta) {
    return attempt(tenant, command, meta, null, 0);
  }

  /**
   * Like {@link #handle(String, JobCommand, Meta)}, but decides first against {@code assumed}, a state
   * the caller already holds (e.g. the outcome of its previous command), saving the read. If the stream
   * has moved on since, the append meets a version conflict and the command starts over from a fresh read.
   */
  public Future<Outcome> handle(String tenant, JobCommand command, Meta meta, JobState assumed) {
    return attempt(tenant, command, meta, assumed, 0);
  }

  private Future<Outcome> attempt(String tenant, JobCommand command, Meta meta, JobState assumed, int tries) {
    Future<JobState> current = assumed != null && assumed.exists() ? Future.succeededFuture(assumed)
        : load(tenant, command.jobId());
    return current.compose(state -> {
      List<JobEvent> events;
      try {
        events = job.decide(command, state);
      } catch (RuntimeException rejection) {
        return Future.failedFuture(rejection);
      }
      if (events.isEmpty()) {
        // Nothing to do is only believed of the stream as it is now, not of an assumed state.
        return state == assumed ? attempt(tenant, command, meta, null, tries)
            : Future.succeededFuture(new Outcome(List.of(), state));
      }
      JsonObject metaJson = meta.toJson();
      List<NewEvent> toAppend = new ArrayList<>(events.size());
      JobState after = state;
      for (JobEvent e : events) {
        toAppend.add(new NewEvent(UUID.randomUUID(), JobEventType.typeNameOf(e), JobEventType.SCHEMA_VERSION,
            JobEventJson.toJson(e).encode(), metaJson.encode()));
        after = Job.evolve(after, e);
      }
      JobState finalState = after;
      return store.append(tenant, streamId(command.jobId()), ExpectedVersion.exactly(state.version()), toAppend)
          .map(r -> new Outcome(events, finalState))
          .recover(err -> {
            if (err instanceof WrongExpectedVersion && tries < maxConflictRetries) {
              // A stale assumption is no contention: read again at once.
              Future<Void> pause = assumed != null && tries == 0 ? Future.succeededFuture() : backoff(tries);
              return pause.compose(v -> attempt(tenant, command, meta, null, tries + 1));
            }
            return Future.failedFuture(err);
          });
    });
  }

  private Future<Void> backoff(int tries) {
    long delay = 1 + ThreadLocalRandom.current().nextLong(1L << Math.min(tries, 6));
    Promise<Void> p = Promise.promise();
    vertx.setTimer(delay, id -> p.complete());
    return p.future();
  }
}
