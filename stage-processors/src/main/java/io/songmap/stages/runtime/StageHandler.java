package io.songmap.stages.runtime;

import io.vertx.core.Future;

/**
 * The work of one stage. Called on the stage worker's event loop: it must not block. Heavy work
 * goes to {@link StageContext#executeBlocking}. The returned Future completes with the result; a
 * failed Future (or a thrown exception) counts as an {@code INTERNAL} failure, a Future that does
 * not complete within the stage timeout as a {@code TIMEOUT}, both retryable.
 */
@FunctionalInterface
public interface StageHandler {
  Future<StageResult> handle(StageTask task, StageContext ctx);
}
