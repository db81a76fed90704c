package io.songmap.gateway.live;

import io.songmap.eventstore.RecordedEvent;
import io.songmap.gateway.jobs.JobRoutes;
import io.songmap.job.JobEventType;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One event encoded once as the UTF-8 text of a WebSocket frame, sent as is to every socket that follows its job or
 * tenant. {@code terminal} marks the job's last event.
 */
record Frame(String jobId, long version, boolean terminal, byte[] utf8) {
  private static final Set<String> TERMINAL = Set.of(JobEventType.JOB_COMPLETED.typeName(),
      JobEventType.JOB_FAILED.typeName(), JobEventType.JOB_CANCELLED.typeName());

  /** The frame of a job stream: the event as the history shows it. */
  static Frame ofJob(RecordedEvent e) {
    return of(e, JobRoutes.eventJson(e));
  }

  /** The frame of a tenant stream: the event with its position in the global log, to resume from. */
  static Frame ofTenant(RecordedEvent e) {
    return of(e, JobRoutes.eventJson(e).put("position", e.position().toString()));
  }

  private static Frame of(RecordedEvent e, JsonObject json) {
    return new Frame(e.streamId(), e.version(), isTerminal(e), json.encode().getBytes(StandardCharsets.UTF_8));
  }

  static boolean isTerminal(RecordedEvent e) {
    return TERMINAL.contains(e.type());
  }

  /**
   * A text frame over the shared bytes. Vert.x's public factory only makes text frames from a String, which would
   * encode the text again for every socket; each call wraps the same array without copying it, and a socket
   * releasing its wrapper leaves the array to the others.
   */
  WebSocketFrame toWebSocketFrame() {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true);
  }
}
