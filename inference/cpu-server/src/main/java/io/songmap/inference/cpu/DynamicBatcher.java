package io.songmap.inference.cpu;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The queue of one model and the policy that turns it into batches, like Triton's dynamic batcher.
 * Requests wait ordered by priority (1 highest, 0 counts as the default, lowest) and then arrival.
 * A batch starts when an instance is free and either it has reached the target size (the largest
 * preferred size, else the model's max batch size) or its oldest request has waited the max queue
 * delay. With batching off (or a model that does not batch) each request is its own batch.
 * Batches run on the shared worker pool; at most {@code instances} of this model's run at once,
 * so requests arriving meanwhile gather into the next batch.
 */
final class DynamicBatcher {
  private static final Comparator<PendingRequest> ORDER = Comparator
      .comparingLong((PendingRequest p) -> p.priority() == 0 ? Long.MAX_VALUE : p.priority())
      .thenComparingLong(PendingRequest::sequence);

  private final HostedModel model;
  private final boolean batching;
  private final int maxBatch;
  private final int targetBatch;
  private final long maxDelayNanos;
  private final int maxQueueSize;
  private final int instances;
  private final Executor workers;
  private final ScheduledExecutorService timer;

  private final TreeSet<PendingRequest> queue = new TreeSet<>(ORDER);
  private int running;
  private ScheduledFuture<?> wakeup;
  private long wakeupAtNanos;
  private boolean closed;

  DynamicBatcher(HostedModel model, CpuServerConfig config, Executor workers, ScheduledExecutorService timer) {
    this.model = model;
    this.batching = model.batches();
    this.maxBatch = Math.max(1, model.maxBatchSize());
    this.targetBatch = config.batching().preferredBatchSizes().stream()
        .filter(s -> s <= maxBatch)
        .max(Integer::compare)
        .orElse(maxBatch);
    this.maxDelayNanos = config.batching().maxQueueDelay().toNanos();
    this.maxQueueSize = config.batching().maxQueueSize();
    this.instances = config.instancesPerModel();
    this.workers = workers;
    this.timer = timer;
  }

  /** Queues a request; refuses it with RESOURCE_EXHAUSTED when the queue is full. */
  void submit(PendingRequest request) {
    synchronized (this) {
      if (closed) {
        model.fail(request, Status.UNAVAILABLE.withDescription("server is shutting down"));
        return;
      }
      if (queue.size() >= maxQueueSize) {
        model.fail(request, Status.RESOURCE_EXHAUSTED.withDescription("queue of model '" + model.name()
            + "' is full (" + maxQueueSize + " requests)"));
        return;
      }
      queue.add(request);
    }
    drain();
  }

  /** Starts as many batches as free instances and the policy allow. */
  private void drain() {
    List<List<PendingRequest>> toRun = new ArrayList<>();
    List<PendingRequest> expired = new ArrayList<>();
    synchronized (this) {
      while (running < instances && !queue.isEmpty()) {
        List<PendingRequest> batch = nextBatch(System.nanoTime(), expired);
        if (batch == null) {
          break;
        }
        running++;
        toRun.add(batch);
      }
    }
    for (PendingRequest p : expired) {
      if (!p.cancelled()) {
        model.fail(p, Status.DEADLINE_EXCEEDED.withDescription("request timeout expired in the queue of model '" + model.name() + "'"));
      }
    }
    for (List<PendingRequest> batch : toRun) {
      try {
        workers.execute(() -> run(batch));
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          running--;
        }
        model.failAll(batch, Status.UNAVAILABLE.withDescription("server is shutting down"));
      }
    }
  }

  private void run(List<PendingRequest> batch) {
    try {
      model.execute(batch);
    } finally {
      synchronized (this) {
        running--;
      }
      drain();
    }
  }

  /** The batch to start now, or null to wait (having armed the timer). Caller holds the lock. */
  private List<PendingRequest> nextBatch(long now, List<PendingRequest> expired) {
    List<PendingRequest> batch = new ArrayList<>();
    int items = 0;
    boolean full = false;
    long oldest = Long.MAX_VALUE;
    for (Iterator<PendingRequest> it = queue.iterator(); it.hasNext(); ) {
      PendingRequest p = it.next();
      if (p.cancelled() || p.timedOut(now)) {
        it.remove();
        expired.add(p);
        continue;
      }
      if (!batch.isEmpty() && (!batching || !p.batchesWith(batch.get(0)))) {
        if (!batching) {
          break;
        }
        continue;
      }
      if (items + p.batchSize() > maxBatch && !batch.isEmpty()) {
        full = true;
        break;
      }
      batch.add(p);
      items += p.batchSize();
      oldest = Math.min(oldest, p.arrivalNanos());
      if (!batching || items >= targetBatch) {
        full = true;
        break;
      }
    }
    if (batch.isEmpty()) {
      return null;
    }
    long waited = now - oldest;
    if (full || waited >= maxDelayNanos) {
      batch.forEach(queue::remove);
      return batch;
    }
    arm(oldest + maxDelayNanos, now);
    return null;
  }

  private void arm(long atNanos, long now) {
    if (wakeup != null && !wakeup.isDone() && wakeupAtNanos <= atNanos) {
      return;
    }
    if (wakeup != null) {
      wakeup.cancel(false);
    }
    wakeupAtNanos = atNanos;
    wakeup = timer.schedule(this::wake, Math.max(0, atNanos - now), TimeUnit.NANOSECONDS);
  }

  /** The timer fired: forget it first, so that the drain it runs can arm the next one. */
  private void wake() {
    synchronized (this) {
      wakeup = null;
    }
    drain();
  }

  /** Refuses new requests and fails the queued ones; batches already running finish. */
  void close() {
    List<PendingRequest> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queue);
      queue.clear();
      if (wakeup != null) {
        wakeup.cancel(false);
      }
    }
    model.failAll(left, Status.UNAVAILABLE.withDescription("server is shutting down"));
  }
}
