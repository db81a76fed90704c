package io.songmap.stages.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.concurrent.Callable;

/** What a {@link StageHandler} gets besides its task. */
public interface StageContext {

  Vertx vertx();

  /**
   * Reports how far the attempt has got, a fraction in {@code [0, 1]}. Cheap to call often: reports
   * are throttled, and only the latest one is recorded (as a StageProgressed event).
   */
  void reportProgress(double fraction);

  /** Runs blocking or CPU-heavy work on the stage's bounded worker pool. */
  <T> Future<T> executeBlocking(Callable<T> work);

  /** When the stage timeout ends this attempt. */
  Instant deadline();

  /** Whether the attempt has already been given up (timed out or shutting down): stop early if possible. */
  boolean isAbandoned();
}
