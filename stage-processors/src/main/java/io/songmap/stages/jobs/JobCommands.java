package io.songmap.stages.jobs;

import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.WrongExpectedVersion;
import io.songmap.job.Job;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEvent.StageCompleted;
import io.songmap.job.JobEvent.StageProgressed;
import io.songmap.job.JobEvent.StageRequested;
import io.songmap.job.JobEvent.StageSkipped;
import io.songmap.job.JobEvent.StageStarted;
import io.songmap.job.JobEventType;
import io.songmap.job.JobState;
import io.songmap.job.StageStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

  /**
   * How long a result that only waits for its siblings (see {@link #JobCommands(Vertx, EventStore, Job, int, int,
   * Duration)}) is held by default before it is appended alone.
   */
  public static final Duration DEFAULT_GATHER_WINDOW = Duration.ofMillis(5);

  private final Vertx vertx;
  private final EventStore store;
  private final Job job;
  private final int maxConflictRetries;
  private final StateCache cache;
  private final long gatherNanos;
  private final TaskDispatch dispatch;
  private final Map<String, Lane> lanes = new java.util.HashMap<>(); // guarded by itself

  /**
   * @param cacheSize how many job states to remember for {@link #recent}; 0 remembers none
   * @param gatherWindow how long to hold a result whose events request nothing and end nothing while other stages
   *     of the job are still requested or running (a fan-out stage finishing before its siblings): nothing
   *     downstream waits for it, and a sibling's result arriving meanwhile goes in the same transaction, so the
   *     last one to arrive is not queued behind the append of an earlier one. Zero appends every result at once.
   * @param dispatch sends the tasks of the stages an append requests as soon as it commits; {@code null} leaves
   *     them to the relay alone
   */
  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries, int cacheSize,
      Duration gatherWindow, TaskDispatch dispatch) {
    if (gatherWindow.isNegative()) {
      throw new IllegalArgumentException("gatherWindow must not be negative");
    }
    this.gatherNanos = gatherWindow.toNanos();
    this.dispatch = dispatch;
    this.vertx = vertx;
    this.store = store;
    this.job = job;
    if (maxConflictRetries < 0) {
      throw new IllegalArgumentException("maxConflictRetries must be >= 0");
    }
    this.maxConflictRetries = maxConflictRetries;
    this.cache = new StateCache(cacheSize);
  }

  /** Without direct dispatch: the relay alone sends the stages' tasks. */
  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries, int cacheSize,
      Duration gatherWindow) {
    this(vertx, store, job, maxConflictRetries, cacheSize, gatherWindow, null);
  }

  /**
   * @param cacheSize how many job states to remember for {@link #recent}; 0 remembers none
   */
  public JobCommands(Vertx vertx, EventStore store, Job job, int maxConflictRetries, int cacheSize) {
    this(vertx, store, job, maxConflictRetries, cacheSize, DEFAULT_GATHER_WINDOW);
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
   * left instead of losing a version conflict and reading again. Commands that queued up behind a running
   * one go together, decided one after the other and appended at once (one round trip instead of one per
   * command); should that batch fail, each goes again on its own, so that one command's rejection is not
   * another's. A result that only waits for its siblings is held for the gather window first, so that the
   * last sibling takes it along instead of queueing behind its append. Other processes are still kept apart by
   * the expected version alone.
   */
  private Future<Outcome> sequenced(String tenant, List<JobCommand> commands, Meta meta, JobState assumed) {
    String key = tenant + '/' + commands.get(0).jobId();
    Waiter w = new Waiter(tenant, commands, meta, assumed, Promise.promise(), vertx.getOrCreateContext());
    boolean start;
    long heldBy = -1;
    synchronized (lanes) {
      Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
      lane.waiting.add(w);
      start = !lane.running;
      lane.running = true;
      if (lane.holdTimer >= 0) {
        // The lane was holding results for their siblings: look again with this one.
        heldBy = lane.holdTimer;
        lane.holdTimer = -1;
        start = true;
      }
    }
    if (heldBy >= 0) {
      vertx.cancelTimer(heldBy);
    }
    if (start) {
      runNext(key);
    }
    return w.result().future();
  }

  /** A command (or a caller's batch of commands) waiting for its job's lane. */
  private record Waiter(String tenant, List<JobCommand> commands, Meta meta, JobState assumed,
      Promise<Outcome> result, Context context) {}

  private static final class Lane {
    boolean running;
    final List<Waiter> waiting = new ArrayList<>();
    /** The timer that ends the current hold, or -1 when the lane holds nothing. */
    long holdTimer = -1;
    /** Whether the waiting results have been held already, and until when (System.nanoTime()). */
    boolean held;
    long holdEnds;
  }

  private void runNext(String key) {
    List<Waiter> batch;
    synchronized (lanes) {
      Lane lane = lanes.get(key);
      if (lane.waiting.isEmpty()) {
        lanes.remove(key);
        return;
      }
      if (hold(key, lane)) {
        return;
      }
      lane.held = false;
      batch = List.copyOf(lane.waiting);
      lane.waiting.clear();
    }
    batch.get(0).context().runOnContext(v -> run(batch).onComplete(ar -> runNext(key)));
  }

  /**
   * Whether the lane's waiting results should wait a little longer for their siblings; if so, a timer ends the
   * hold. The window counts from the first result held, however many join it. Called holding the lanes' lock.
   */
  private boolean hold(String key, Lane lane) {
    if (gatherNanos == 0) {
      return false;
    }
    long now = System.nanoTime();
    long left = lane.held ? lane.holdEnds - now : gatherNanos;
    if (left <= 0 || !onlyWaitsForSiblings(lane.waiting)) {
      return false;
    }
    if (!lane.held) {
      lane.held = true;
      lane.holdEnds = now + gatherNanos;
    }
    long[] timer = new long[1];
    timer[0] = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), id -> {
      boolean expired;
      synchronized (lanes) {
        Lane l = lanes.get(key);
        expired = l != null && l.holdTimer == timer[0];
        if (expired) {
          l.holdTimer = -1;
          l.holdEnds = System.nanoTime(); // the window is over: the next look runs what waits
        }
      }
      if (expired) {
        runNext(key);
      }
    });
    lane.holdTimer = timer[0];
    return true;
  }

  /**
   * Whether the waiting commands, decided against the latest state known here, would append only stage events
   * that start nothing new and end nothing (started, progressed, completed, skipped), while other stages of the
   * job are still requested or running. Nothing downstream waits for such an append. Without a known state, or
   * when a command is refused or changes nothing, the answer is no: those go at once.
   */
  private boolean onlyWaitsForSiblings(List<Waiter> waiting) {
    JobState state = startState(waiting);
    if (state == null || !state.exists()) {
      return false;
    }
    boolean any = false;
    try {
      for (Waiter w : waiting) {
        for (JobCommand c : w.commands()) {
          for (JobEvent e : job.decide(c, state)) {
            if (!(e instanceof StageStarted || e instanceof StageProgressed || e instanceof StageCompleted
                || e instanceof StageSkipped)) {
              return false;
            }
            state = Job.evolve(state, e);
            any = true;
          }
        }
      }
    } catch (RuntimeException rejected) {
      return false;
    }
    return any && state.stages().values().stream()
        .anyMatch(s -> s.status() == StageStatus.REQUESTED || s.status() == StageStatus.RUNNING);
  }

  /** The state to decide a batch against: the newest of what its callers assumed and what this instance wrote. */
  private JobState startState(List<Waiter> batch) {
    Waiter first = batch.get(0);
    // A command that waited may know less than the one before it wrote.
    JobState start = first.assumed();
    for (Waiter w : batch) {
      if (w.assumed() != null && (start == null || w.assumed().version() > start.version())) {
        start = w.assumed();
      }
    }
    JobState latest = cache.get(first.tenant(), first.commands().get(0).jobId());
    if (start != null && latest != null && latest.version() > start.version()) {
      start = latest;
    }
    return start;
  }

  private Future<Void> run(List<Waiter> batch) {
    Waiter first = batch.get(0);
    JobState start = startState(batch);
    List<JobCommand> commands = new ArrayList<>();
    List<Meta> metas = new ArrayList<>();
    for (Waiter w : batch) {
      for (JobCommand c : w.commands()) {
        commands.add(c);
        metas.add(w.meta());
      }
    }
    return attempt(first.tenant(), commands, metas, start, 0).transform(ar -> {
      if (ar.succeeded()) {
        int at = 0;
        for (Waiter w : batch) {
          List<JobEvent> mine = new ArrayList<>();
          for (int i = 0; i < w.commands().size(); i++) {
            mine.addAll(ar.result().perCommand().get(at++));
          }
          settle(w, Future.succeededFuture(new Outcome(List.copyOf(mine), ar.result().state())));
        }
        return Future.succeededFuture();
      }
      if (batch.size() == 1) {
        settle(first, Future.failedFuture(ar.cause()));
        return Future.succeededFuture();
      }
      return oneByOne(batch, 0);
    });
  }

  /** Completes a caller's future on the caller's own context, where it may keep state of its own. */
  private static void settle(Waiter w, Future<Outcome> outcome) {
    if (Vertx.currentContext() == w.context()) {
      w.result().handle(outcome);
    } else {
      w.context().runOnContext(v -> w.result().handle(outcome));
    }
  }

  private Future<Void> oneByOne(List<Waiter> batch, int i) {
    if (i == batch.size()) {
      return Future.succeededFuture();
    }
    return run(List.of(batch.get(i))).compose(v -> oneByOne(batch, i + 1));
  }

  /** The events each command decided, in order, and the job's state after all of them. */
  private record Decided(List<List<JobEvent>> perCommand, JobState state) {}

  private Future<Decided> attempt(String tenant, List<JobCommand> commands, List<Meta> metas, JobState assumed,
      int tries) {
    String jobId = commands.get(0).jobId();
    // A submission is assumed to start a new job: one round trip instead of a read and then the append. A job
    // that exists already makes the append meet a version conflict, and the command starts over from a read.
    JobState assumption = assumed != null && assumed.exists() ? assumed
        : assumed == null && tries == 0 && commands.get(0) instanceof JobCommand.SubmitJob ? JobState.EMPTY : null;
    Future<JobState> current = assumption != null ? Future.succeededFuture(assumption) : load(tenant, jobId);
    return current.compose(state -> {
      List<List<JobEvent>> perCommand = new ArrayList<>(commands.size());
      List<NewEvent> toAppend = new ArrayList<>();
      List<TaskDispatch.Requested> dueTasks = new ArrayList<>(0);
      Instant now = Instant.now();
      JobState after = state;
      try {
        for (int i = 0; i < commands.size(); i++) {
          List<JobEvent> decided = job.decide(commands.get(i), after);
          String metaJson = metas.get(i).toJson().encode();
          for (JobEvent e : decided) {
            after = Job.evolve(after, e);
            UUID eventId = UUID.randomUUID();
            toAppend.add(new NewEvent(eventId, JobEventType.typeNameOf(e), JobEventType.SCHEMA_VERSION,
                JobEventJson.toJson(e).encode(), metaJson));
            if (dispatch != null && e instanceof StageRequested r && !r.notBefore().isAfter(now)) {
              dueTasks.add(new TaskDispatch.Requested(eventId, r, metas.get(i).correlationId()));
            }
          }
          perCommand.add(decided);
        }
      } catch (RuntimeException rejection) {
        return Future.failedFuture(rejection);
      }
      if (toAppend.isEmpty()) {
        // Nothing to do is only believed of the stream as it is now, not of an assumed state.
        return state == assumption ? attempt(tenant, commands, metas, null, tries + 1)
            : Future.succeededFuture(new Decided(perCommand, state));
      }
      JobState finalState = after;
      TaskDispatch.Pending pending = dueTasks.isEmpty() ? null : dispatch.prepare(tenant, dueTasks);
      Future<?> appended = store.append(tenant, streamId(jobId), ExpectedVersion.exactly(state.version()), toAppend);
      if (pending != null) {
        // Registered first, so the tasks go out before this command's caller hears of the outcome.
        appended.onComplete(ar -> {
          if (ar.succeeded()) {
            pending.committed();
          } else {
            pending.abandoned();
          }
        });
      }
      return appended
          .map(r -> {
            cache.put(tenant, jobId, finalState);
            return new Decided(perCommand, finalState);
          })
          .recover(err -> {
            if (err instanceof WrongExpectedVersion && tries < maxConflictRetries) {
              // A stale assumption is no contention: read again at once.
              Future<Void> pause = state == assumption ? Future.succeededFuture() : backoff(tries);
              return pause.compose(v -> attempt(tenant, commands, metas, null, tries + 1));
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

  /**
   * The latest known state of each job in flight, least recently used first out; shared by the event loops.
   * Finished jobs leave it.
   */
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
      if (state.isFinished()) {
        // Nothing more happens to a finished job unless someone reprocesses it, which reads it anyway. Kept,
        // thousands of finished states would sit in the young generation to be copied at every collection.
        states.remove(key);
        return;
      }
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
