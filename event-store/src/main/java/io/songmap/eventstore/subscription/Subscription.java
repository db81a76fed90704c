package io.songmap.eventstore.subscription;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named, durable subscription to the global log: it catches up from its stored checkpoint, then follows new
 * events, woken by appends of the same store in this process, by LISTEN/NOTIFY for the others, and by polling when
 * no notification comes (a notified event may still be above the read fence while an older transaction runs).
 * Each page is handed to the {@link PageHandler} in a transaction that also moves the checkpoint.
 *
 * <p>How soon it reads again depends on what the last read found. Each read also tells whether events committed
 * above its fence exist ({@link AllEventsPage#heldBack()}). If some do, the subscription polls after
 * {@code minPoll}, doubling the wait up to {@code maxPoll}, until the older transaction has ended. If none do, and
 * the page was not full, and the LISTEN connection is up, the log is drained: nothing can be read until someone
 * appends, and every append notifies, so it waits for a notification, reading once every {@code maxPoll} all the
 * same (a notification is lost while the LISTEN connection reconnects, and a writer may have notifications off).
 * Without a LISTEN connection it polls as when events are held back.
 *
 * <p>A subscription made with {@link #createSending} hands pages to a {@link PageSender} instead: it reads and
 * sends the next page while earlier ones wait for their acknowledgements (up to {@code pagesInFlight} pages), and
 * moves the checkpoint past each page, in order, once it is acknowledged.
 *
 * <p>Among all processes running a subscription of the same name, only the holder of its lease reads and handles
 * events; the others retry every heartbeat and take over once the owner has stopped renewing for {@code leaseTtl}.
 *
 * <p>All state lives on one Vert.x context; public methods hop onto it.
 */
public final class Subscription {
  private static final Logger log = LoggerFactory.getLogger(Subscription.class);
  /** How long {@link #stop()} waits for the acknowledgements of the pages a sending subscription sent. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Context context;
  private final PgEventStore store;
  private final PgConnectOptions listenOptions;
  private final SubscriptionOptions options;
  private final PageHandler handler;
  private final PageSender sender; // non-null: pages are sent ahead of their checkpoints
  private final int pagesInFlight;

  private PgSubscriber listener;
  private boolean started;
  private boolean stopped;
  private Long fence; // non-null while this process owns the subscription
  private Position checkpoint;
  private long heartbeatTimer = -1;
  private long lastRenewalNanos;
  private long pollDelayMs;
  private Promise<Void> wakeup;
  private long wakeupTimer = -1;
  private boolean running; // a read/handle cycle is in flight
  private boolean notifiedWhileRunning; // the read in flight may have missed what was just appended
  private boolean drained; // the last read found nothing more to read until the next append notifies
  private Runnable localListener;
  private Promise<Void> pauseRequested;
  private Promise<Void> paused;
  private volatile boolean owner;
  private volatile Position position;
  // Sending mode only.
  private final java.util.ArrayDeque<Sent> sent = new java.util.ArrayDeque<>();
  private Position readFrom; // where the next read starts: after the last page sent
  private boolean committing;
  private int generation; // bumped whenever the pages in flight are given up

  private record Sent(long fence, AllEventsPage page, Future<PageHandler> acked) {}

  private Subscription(Vertx vertx, PgEventStore store, PgConnectOptions listenOptions, SubscriptionOptions options,
      PageHandler handler, PageSender sender, int pagesInFlight) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.store = store;
    this.listenOptions = listenOptions;
    this.options = options;
    this.handler = handler;
    this.sender = sender;
    this.pagesInFlight = pagesInFlight;
    this.pollDelayMs = options.minPoll().toMillis();
  }

  /**
   * Creates a subscription; {@link #start()} begins competing for ownership. {@code listenOptions} connects the
   * LISTEN connection; {@code null} leaves the subscription to polling alone.
   */
  public static Subscription create(Vertx vertx, PgEventStore store, PgConnectOptions listenOptions,
      SubscriptionOptions options, PageHandler handler) {
    return new Subscription(vertx, store, listenOptions, options, handler, null, 1);
  }

  /**
   * Creates a subscription that sends pages ahead of their checkpoints (see {@link PageSender}), with at most
   * {@code pagesInFlight} pages sent and not yet checkpointed.
   */
  public static Subscription createSending(Vertx vertx, PgEventStore store, PgConnectOptions listenOptions,
      SubscriptionOptions options, PageSender sender, int pagesInFlight) {
    if (pagesInFlight < 1) {
      throw new IllegalArgumentException("pagesInFlight must be >= 1");
    }
    return new Subscription(vertx, store, listenOptions, options, null, java.util.Objects.requireNonNull(sender),
        pagesInFlight);
  }

  public SubscriptionOptions options() {
    return options;
  }

  /** Whether this process currently owns the subscription. */
  public boolean isOwner() {
    return owner;
  }

  /** The checkpoint as last committed by this process ({@code null} before it first owned the subscription). */
  public Position position() {
    return position;
  }

  /** Starts listening for notifications and competing for the lease; completes once the listener is connected. */
  public Future<Void> start() {
    return onContext(() -> {
      if (started) {
        return Future.succeededFuture();
      }
      started = true;
      localListener = store.onAppended(() -> context.runOnContext(v -> notified()));
      Future<Void> listening = Future.succeededFuture();
      String channel = store.options().notifyChannel();
      if (listenOptions != null && channel != null) {
        listener = PgSubscriber.subscriber(vertx, listenOptions).reconnectPolicy(retries -> 500L);
        String ours = store.notificationOrigin();
        listener.channel(channel).handler(payload -> {
          if (!ours.equals(payload)) {
            context.runOnContext(v -> notified());
          }
        }).subscribeHandler(v -> context.runOnContext(x -> notified())); // (re)connected: notifications were missed
        listening = listener.connect();
      }
      return listening.onComplete(ar -> {
        if (ar.failed()) {
          log.warn("subscription {}: LISTEN connection failed, polling only: {}", options.name(),
              ar.cause().getMessage());
        }
        // Timers fire on the context that sets them: ours, not the listener's.
        context.runOnContext(v -> {
          if (!stopped) {
            heartbeatTimer = vertx.setPeriodic(1, options.heartbeat().toMillis(), id -> heartbeat());
          }
        });
      }).otherwiseEmpty();
    });
  }

  /** {@link #stop(Duration)} with {@link #STOP_GRACE}. */
  public Future<Void> stop() {
    return stop(STOP_GRACE);
  }

  /**
   * Stops reading, waits for the page in flight, and gives up the lease so that another process takes over now.
   * A sending subscription waits up to {@code grace} for the acknowledgements of the pages it sent; then it gives
   * them up (the checkpoint stays before them, so the next owner sends them again) rather than wait for a broker
   * that does not answer.
   */
  public Future<Void> stop(Duration grace) {
    return onContext(() -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      if (localListener != null) {
        localListener.run();
      }
      if (heartbeatTimer >= 0) {
        vertx.cancelTimer(heartbeatTimer);
      }
      wake();
      long giveUpTimer = sender == null ? -1 : vertx.setTimer(Math.max(1, grace.toMillis()), id -> abandonSent());
      return pause().compose(v -> {
        if (giveUpTimer >= 0) {
          vertx.cancelTimer(giveUpTimer);
        }
        Long f = fence;
        lose();
        Future<Void> released = f == null ? Future.succeededFuture()
            : Lease.release(store.pool(), options.name(), options.owner(), f).otherwiseEmpty();
        return released.compose(x -> listener == null ? Future.succeededFuture() : listener.close());
      });
    });
  }

  /**
   * Stops handling pages after the one in flight; completes when no page is being handled. While paused, the
   * owner keeps its lease, so {@link #fence()} can be used to move the checkpoint elsewhere.
   */
  public Future<Void> pause() {
    return onContext(() -> {
      if (paused == null) {
        paused = Promise.promise();
        pauseRequested = paused;
        if (!busy()) {
          paused.tryComplete();
        }
        wake();
      }
      return paused.future();
    });
  }

  /** Resumes after {@link #pause()}, reloading the checkpoint (someone may have moved it meanwhile). */
  public Future<Void> resume() {
    return onContext(() -> {
      paused = null;
      pauseRequested = null;
      drained = false;
      if (fence != null && !stopped) {
        return ours(Checkpoints.load(store.pool(), options.name())).map(p -> {
          checkpoint = p;
          position = p;
          restartFromCheckpoint();
          loop();
          return null;
        });
      }
      return Future.succeededFuture();
    });
  }

  /** The fence of the lease this process holds; fails when it is not the owner. */
  public Future<Long> fence() {
    return onContext(() -> fence == null
        ? Future.failedFuture(new IllegalStateException("not the owner of " + options.name()))
        : Future.succeededFuture(fence));
  }

  private void heartbeat() {
    if (stopped) {
      return;
    }
    if (fence == null) {
      ours(Lease.tryAcquire(store.pool(), options.name(), options.owner(), options.leaseTtl())).onComplete(ar -> {
        if (ar.succeeded() && ar.result() != null && fence == null && !stopped) {
          acquired(ar.result());
        }
      });
      return;
    }
    long f = fence;
    ours(Lease.renew(store.pool(), options.name(), options.owner(), f, options.leaseTtl())).onComplete(ar -> {
      if (fence == null || fence != f) {
        return;
      }
      if (ar.succeeded() && ar.result()) {
        lastRenewalNanos = System.nanoTime();
      } else if (ar.succeeded() || System.nanoTime() - lastRenewalNanos > options.leaseTtl().toNanos()) {
        log.warn("subscription {}: lost its lease (fence {})", options.name(), f);
        lose();
      }
    });
  }

  private void acquired(long newFence) {
    fence = newFence;
    drained = false;
    lastRenewalNanos = System.nanoTime();
    ours(Checkpoints.load(store.pool(), options.name())).onComplete(ar -> {
      if (ar.failed()) {
        log.warn("subscription {}: cannot load checkpoint: {}", options.name(), ar.cause().getMessage());
        lose();
        return;
      }
      checkpoint = ar.result();
      position = checkpoint;
      restartFromCheckpoint();
      owner = true;
      log.info("subscription {}: owned by {} (fence {}) from {}", options.name(), options.owner(), newFence,
          checkpoint);
      loop();
    });
  }

  /** Stopping: the acknowledgements of the pages sent did not come within the grace; forget those pages. */
  private void abandonSent() {
    if (!sent.isEmpty()) {
      log.warn("subscription {}: stopping without the acknowledgements of {} page(s); the next owner sends them"
          + " again from the checkpoint {}", options.name(), sent.size(), checkpoint);
      restartFromCheckpoint();
    }
    settled();
  }

  private void lose() {
    fence = null;
    owner = false;
    wake();
  }

  private boolean busy() {
    return running || committing || !sent.isEmpty();
  }

  /** Gives up the pages in flight (sending mode): the next read starts at the checkpoint. */
  private void restartFromCheckpoint() {
    generation++;
    drained = false;
    sent.clear();
    readFrom = checkpoint;
  }

  private void settled() {
    if (pauseRequested != null && !busy()) {
      pauseRequested.tryComplete();
    }
  }

  private void loop() {
    if (sender != null) {
      loopSending();
      return;
    }
    if (running || stopped || fence == null || pauseRequested != null) {
      return;
    }
    if (drained) {
      awaitNotification();
      return;
    }
    running = true;
    notifiedWhileRunning = false;
    long f = fence;
    Position from = checkpoint;
    ours(store.readAllFollowing(from, options.filter(), options.pageSize()))
        .map(this::noteDrained)
        .compose(page -> page.events().isEmpty() ? Future.succeededFuture(page) : handle(f, from, page))
        .onComplete(ar -> {
          running = false;
          if (pauseRequested != null) {
            pauseRequested.tryComplete();
          }
          if (ar.succeeded()) {
            AllEventsPage page = ar.result();
            if (page.events().isEmpty() && notifiedWhileRunning) {
              loop(); // the notification came after the read's snapshot
            } else if (page.events().isEmpty()) {
              idle();
            } else {
              pollDelayMs = options.minPoll().toMillis();
              loop();
            }
          } else if (ar.cause() instanceof Checkpoints.CheckpointMoved) {
            // Someone else committed in between, or the lease is gone: start again from the stored checkpoint.
            ours(Checkpoints.load(store.pool(), options.name())).onComplete(p -> {
              if (p.succeeded()) {
                checkpoint = p.result();
                position = checkpoint;
              }
              sleepThenLoop(options.minPoll().toMillis());
            });
          } else {
            log.warn("subscription {}: page after {} failed, retrying: {}", options.name(), from,
                String.valueOf(ar.cause()));
            sleepThenLoop(options.maxPoll().toMillis());
          }
        });
  }

  private void loopSending() {
    if (running || stopped || fence == null || pauseRequested != null || sent.size() >= pagesInFlight) {
      return;
    }
    if (drained) {
      awaitNotification();
      return;
    }
    running = true;
    notifiedWhileRunning = false;
    long f = fence;
    int gen = generation;
    Position from = readFrom;
    ours(store.readAllFollowing(from, options.filter(), options.pageSize())).onComplete(ar -> {
      running = false;
      if (abandoned(gen != generation || fence == null || fence != f, ar, "page after " + from)) {
        return;
      }
      AllEventsPage page = noteDrained(ar.result());
      if (page.events().isEmpty()) {
        settled();
        if (notifiedWhileRunning) {
          loop();
        } else if (sent.isEmpty()) {
          idle();
        }
        // else: the next checkpoint calls loop() again
        return;
      }
      Future<PageHandler> acked;
      try {
        acked = sender.send(page.events());
      } catch (RuntimeException e) {
        acked = Future.failedFuture(e);
      }
      sent.add(new Sent(f, page, acked));
      readFrom = page.last();
      pollDelayMs = options.minPoll().toMillis();
      acked.onComplete(x -> context.runOnContext(v -> commitSent()));
      loop();
    });
  }

  /** Moves the checkpoint past the oldest page sent, once it is acknowledged; one transaction at a time. */
  private void commitSent() {
    if (committing || sent.isEmpty() || !sent.peek().acked().isComplete()) {
      settled();
      return;
    }
    Sent head = sent.peek();
    if (head.acked().failed()) {
      giveUp("sending the page after " + checkpoint, head.acked().cause());
      return;
    }
    committing = true;
    int gen = generation;
    Position from = checkpoint;
    List<RecordedEvent> events = head.page().events();
    PageHandler pageHandler = head.acked().result();
    Future<Void> moved = pageHandler == PageHandler.NOTHING_RELAXED
        ? Checkpoints.moveRelaxed(store.pool(), options.name(), options.owner(), head.fence(), from, head.page().last())
        : store.pool().withTransaction(tx -> pageHandler.handle(tx, events)
            .compose(v -> Checkpoints.move(tx, options.name(), options.owner(), head.fence(), from, head.page().last())));
    ours(moved)
        .onComplete(ar -> {
          committing = false;
          if (abandoned(gen != generation, ar, "the checkpoint after " + from)) {
            return;
          }
          sent.poll();
          if (fence != null && fence == head.fence()) {
            checkpoint = head.page().last();
            position = checkpoint;
          }
          commitSent();
          loop();
        });
  }

  /**
   * Sending mode, after a read or a checkpoint came back: true when there is nothing more to do with it, because
   * the pages in flight were given up meanwhile ({@code stale}) or because it failed (then they are now).
   */
  private boolean abandoned(boolean stale, io.vertx.core.AsyncResult<?> ar, String what) {
    if (stale) {
      settled();
      loop();
      return true;
    }
    if (ar.failed()) {
      giveUp(what, ar.cause());
      return true;
    }
    return false;
  }

  /** Sending mode: something failed; forget the pages in flight and go on from the stored checkpoint. */
  private void giveUp(String what, Throwable cause) {
    restartFromCheckpoint();
    settled();
    if (cause instanceof Checkpoints.CheckpointMoved) {
      ours(Checkpoints.load(store.pool(), options.name())).onComplete(p -> {
        if (p.succeeded()) {
          checkpoint = p.result();
          position = checkpoint;
          readFrom = checkpoint;
        }
        sleepThenLoop(options.minPoll().toMillis());
      });
    } else {
      log.warn("subscription {}: {} failed, starting again from {}: {}", options.name(), what, checkpoint,
          String.valueOf(cause));
      sleepThenLoop(options.maxPoll().toMillis());
    }
  }

  private Future<AllEventsPage> handle(long f, Position from, AllEventsPage page) {
    List<RecordedEvent> events = page.events();
    return ours(store.pool().withTransaction(tx -> handler.handle(tx, events)
            .compose(v -> Checkpoints.move(tx, options.name(), options.owner(), f, from, page.last()))))
        .map(v -> {
          if (fence != null && fence == f) {
            checkpoint = page.last();
            position = checkpoint;
          }
          return page;
        });
  }

  /**
   * Notes whether {@code page} drained the log (see the class comment): not full, nothing held back above its fence,
   * no notification while it was read, and a LISTEN connection that would bring the next one.
   */
  private AllEventsPage noteDrained(AllEventsPage page) {
    drained = page.events().size() < options.pageSize() && !page.heldBack() && !notifiedWhileRunning
        && listening();
    return page;
  }

  private boolean listening() {
    PgSubscriber l = listener;
    return l != null && !l.closed() && l.actualConnection() != null;
  }

  /** Drained: the next read comes with a notification, or after {@code maxPoll} if none comes. */
  private void awaitNotification() {
    if (wakeup == null) {
      sleepThenLoop(options.maxPoll().toMillis());
    }
  }

  private void idle() {
    if (drained) {
      awaitNotification();
      return;
    }
    long delay = pollDelayMs;
    pollDelayMs = Math.min(pollDelayMs * 2, options.maxPoll().toMillis());
    sleepThenLoop(delay);
  }

  private void sleepThenLoop(long delayMs) {
    Promise<Void> p = Promise.promise();
    wakeup = p;
    wakeupTimer = vertx.setTimer(Math.max(1, delayMs), id -> p.tryComplete());
    p.future().onComplete(v -> {
      if (wakeup == p) {
        wakeup = null;
      }
      drained = false; // woken by a notification, by the timer, or to stop: look again in any case
      loop();
    });
  }

  private void notified() {
    drained = false;
    pollDelayMs = options.minPoll().toMillis();
    notifiedWhileRunning = running;
    wake();
  }

  private void wake() {
    Promise<Void> p = wakeup;
    if (p != null) {
      wakeup = null;
      vertx.cancelTimer(wakeupTimer);
      p.tryComplete();
    }
  }

  /**
   * {@code future} with its callbacks on this subscription's context. The pool completes on the caller's context
   * only when that context belongs to the pool's Vert.x instance; a subscription started on another one (a
   * separate verticle deployment, a test with one instance per process) would otherwise have its state touched
   * from two threads at once.
   */
  private <T> Future<T> ours(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }
}
