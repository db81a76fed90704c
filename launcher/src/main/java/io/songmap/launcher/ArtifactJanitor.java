package io.songmap.launcher;

import io.songmap.artifacts.ArtifactStore;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.subscription.Subscription;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.job.JobEventType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires artifacts: follows the event log for jobs that ended (completed, failed, cancelled) and
 * records when each ended in the artifact store, then sweeps periodically, deleting the artifacts of
 * jobs that ended more than the TTL ago. A named subscription, so one process does it at a time.
 */
final class ArtifactJanitor extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ArtifactJanitor.class);
  private final PgEventStore store;
  private final PgConnectOptions listen;
  private final ArtifactStore artifacts;
  private final Duration ttl;
  private final Duration sweepEvery;
  private Subscription subscription;
  private long timer = -1;

  ArtifactJanitor(PgEventStore store, PgConnectOptions listen, ArtifactStore artifacts, Duration ttl, Duration sweepEvery) {
    this.store = store;
    this.listen = listen;
    this.artifacts = artifacts;
    this.ttl = ttl;
    this.sweepEvery = sweepEvery;
  }

  @Override
  public Future<?> start() {
    EventFilter ended = EventFilter.types(JobEventType.JOB_COMPLETED.typeName(), JobEventType.JOB_FAILED.typeName(),
        JobEventType.JOB_CANCELLED.typeName());
    subscription = Subscription.create(vertx, store, listen,
        SubscriptionOptions.named("artifact-janitor").withFilter(ended), (tx, events) -> markEnded(events));
    timer = vertx.setPeriodic(sweepEvery.toMillis(), id -> sweep());
    return subscription.start();
  }

  private Future<Void> markEnded(List<RecordedEvent> events) {
    List<Future<Void>> marks = new ArrayList<>();
    for (RecordedEvent e : events) {
      marks.add(artifacts.markFinished(e.tenant(), e.streamId(), e.recordedAt()));
    }
    return Future.all(marks).mapEmpty();
  }

  private void sweep() {
    if (!subscription.isOwner()) {
      return;
    }
    artifacts.sweep(Instant.now(), ttl).onSuccess(n -> {
      if (n > 0) {
        log.info("expired the artifacts of {} job(s) that ended more than {} ago", n, ttl);
      }
    }).onFailure(e -> log.warn("artifact sweep failed: {}", e.toString()));
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return subscription == null ? Future.succeededFuture() : subscription.stop();
  }
}
