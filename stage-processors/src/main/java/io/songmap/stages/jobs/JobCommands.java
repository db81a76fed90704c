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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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

  /** States kept by default: enough for every job in flight on a busy processor. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;

  private final Vertx vertx;
  private final EventStore store;
  private final Job job;
  private final int maxConflictRetries;
  private final StateCache cache;
  private final Map<String, Future<Outcome>> queues = new ConcurrentHashMap<>();

  /**
   * @param cacheSize how many job states to remember for {@link #recent}; 0 remembers none
   */
  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries, int cacheSize) {
    this.vertx = vertx;
    this.store = store;
    this.job = job;
    if (maxConflictRetries < 0) {
      throw new IllegalArgumentException("maxConflictRetries must be >= 0");
    }
    this.maxConflictRetries = maxConflictRetries;
    this.cache = new StateCache(cacheSize);
  }

  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries) {
    this(vertx, store, job, maxConflictRetries, DEFAULT_CACHE_SIZE);
  }

  public JobCommands(Vertx vertx, EventStore store) {
    this(vertx, store, Job.withDefaults(), 20);
  }

  /** The job's current state (empty state when it does not exist for this tenant). */
  public Future<JobState> load(String tenant, String jobId) {
    return store.readStream(tenant, streamId(jobId), 1).map(slice -> {
      JobState state = replay(slice.events());
      cache.put(tenant, jobId, state);
      return state;
    });
  }

  /**
   * The latest state of the job this instance has read or written, without reading the store; a fresh
   * {@link #load} when it has none. It may be behind the stream: good as an assumption for {@link
   * #handle(String, JobCommand, Meta, JobState)} (a stale one only costs a version conflict), not as the
   * truth for anything else.
   */
  public Future<JobState> recent(String tenant, String jobId) {
    JobState known = cache.get(tenant, jobId);
    return known != null ? Future.succeededFuture(known) : load(tenant, jobId);
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
    return sequenced(tenant, List.of(command), meta, null);
  }

  /**
   * Like {@link #handle(String, JobCommand, Meta)}, but decides first against {@code assumed}, a state
   * the caller already holds (e.g. the outcome of its previous command), saving the read. If the stream
   * has moved on since, the append meets a version conflict and the command starts over from a fresh read.
   */
  public Future<Outcome> handle(String tenant, JobCommand command, Meta meta, JobState assumed) {
    return sequenced(tenant, List.of(command), meta, assumed);
  }

  /**
   * Decides the commands one after the other, each against the state the previous ones leave, and
   * appends all their events at once: one round trip and one transaction for what would otherwise be
   * several. The events are the same as if each command had been handled on its own. A rejection of any
   * command rejects the batch.
   */
  public Future<Outcome> handleAll(String tenant, List<JobCommand> commands, Meta meta, JobState assumed) {
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("no commands");
    }
    String jobId = commands.get(0).jobId();
    if (commands.stream().anyMatch(c -> !c.jobId().equals(jobId))) {
      throw new IllegalArgumentException("a batch of commands must all be for one job");
    }
    return sequenced(tenant, List.copyOf(commands), meta, assumed);
  }

  /**
   * Commands for one job from this process run one at a time, in the order they came: the second of two
   * concurrent results (the fan-out stages finishing together) then decides against the state the first
   * left instead of losing a version conflict and reading again. Other processes are still kept apart by
   * the expected version alone.
   */
  private Future<Outcome> sequenced(String tenant, List<JobCommand> commands, Meta meta, JobState assumed) {
    Context context = vertx.getOrCreateContext();
    String key = tenant + '/' + commands.get(0).jobId();
    Promise<Outcome> result = Promise.promise();
    Future<Outcome> mine = result.future();
    Future<Outcome> before = queues.put(key, mine);
    Runnable run = () -> context.runOnContext(v -> {
      // A command that waited may know less than the one before it wrote.
      JobState latest = cache.get(tenant, commands.get(0).jobId());
      JobState start = assumed != null && latest != null && latest.version() > assumed.version() ? latest : assumed;
      attempt(tenant, commands, meta, start, 0).onComplete(ar -> {
        queues.remove(key, mine);
        result.handle(ar);
      });
    });
    if (before == null) {
      run.run();
    } else {
      before.onComplete(ignored -> run.run());
    }
    return mine;
  }

  private Future<Outcome> attempt(String tenant, List<JobCommand> commands, Meta meta, JobState assumed, int tries) {
    String jobId = commands.get(0).jobId();
    Future<JobState> current = assumed != null && assumed.exists() ? Future.succeededFuture(assumed)
        : load(tenant, jobId);
    return current.compose(state -> {
      List<JobEvent> events = new ArrayList<>();
      JobState after = state;
      try {
        for (JobCommand command : commands) {
          for (JobEvent e : job.decide(command, after)) {
            events.add(e);
            after = Job.evolve(after, e);
          }
        }
      } catch (RuntimeException rejection) {
        return Future.failedFuture(rejection);
      }
      if (events.isEmpty()) {
        // Nothing to do is only believed of the stream as it is now, not of an assumed state.
        return state == assumed ? attempt(tenant, commands, meta, null, tries)
            : Future.succeededFuture(new Outcome(List.of(), state));
      }
      String metaJson = meta.toJson().encode();
      List<NewEvent> toAppend = new ArrayList<>(events.size());
      for (JobEvent e : events) {
        toAppend.add(new NewEvent(UUID.randomUUID(), JobEventType.typeNameOf(e), JobEventType.SCHEMA_VERSION,
            JobEventJson.toJson(e).encode(), metaJson));
      }
      JobState finalState = after;
      return store.append(tenant, streamId(jobId), ExpectedVersion.exactly(state.version()), toAppend)
          .map(r -> {
            cache.put(tenant, jobId, finalState);
            return new Outcome(List.copyOf(events), finalState);
          })
          .recover(err -> {
            if (err instanceof WrongExpectedVersion && tries < maxConflictRetries) {
              // A stale assumption is no contention: read again at once.
              Future<Void> pause = state == assumed ? Future.succeededFuture() : backoff(tries);
              return pause.compose(v -> attempt(tenant, commands, meta, null, tries + 1));
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

  /** The latest known state per job, least recently used first out; shared by the event loops. */
  private static final class StateCache {
    private final int capacity;
    private final LinkedHashMap<String, JobState> states;

    StateCache(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("cache size must be >= 0");
      }
      this.capacity = capacity;
      this.states = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true);
    }

    synchronized JobState get(String tenant, String jobId) {
      return capacity == 0 ? null : states.get(tenant + '/' + jobId);
    }

    synchronized void put(String tenant, String jobId, JobState state) {
      if (capacity == 0) {
        return;
      }
      String key = tenant + '/' + jobId;
      JobState old = states.get(key);
      // Replies of concurrent commands can arrive out of order: keep the newer state.
      if (old == null || old.version() <= state.version()) {
        states.put(key, state);
      }
      if (states.size() > capacity) {
        var eldest = states.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
  }
}
