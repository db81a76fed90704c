package io.songmap.launcher;

import io.songmap.job.Job;
import io.songmap.job.JobEventType;
import io.songmap.job.JobState;
import io.songmap.stages.jobs.JobEventJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows one job over its WebSocket event stream until it finishes, folding the frames into the job's state with
 * {@link Job#evolve} and drawing it. A dropped connection is reopened with {@code from} = last version + 1, so
 * nothing is missed and nothing is folded twice. The gateway closes the stream after a terminal event; when the job
 * has moved on since (it was reprocessed), the stream is reopened after that event and followed to its next end.
 */
final class JobWatch {
  private static final Set<String> TERMINAL = Set.of(JobEventType.JOB_COMPLETED.typeName(),
      JobEventType.JOB_FAILED.typeName(), JobEventType.JOB_CANCELLED.typeName());
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * @param silence     how long a connection may stay without a frame or ping before it is taken for dead (the
   *                    gateway pings every {@code SONGMAP_GATEWAY_WS_PING}, 20 s by default)
   * @param giveUpAfter how long reconnecting may go on without receiving anything before watching fails
   */
  record Settings(Duration silence, Duration giveUpAfter) {
    Settings {
      if (silence.isNegative() || silence.isZero() || giveUpAfter.isNegative()) {
        throw new IllegalArgumentException("silence must be positive and giveUpAfter not negative");
      }
    }

    static Settings defaults() {
      return new Settings(Duration.ofSeconds(60), Duration.ofMinutes(2));
    }
  }

  /** Watching stopped without the job finishing. */
  static final class WatchFailed extends RuntimeException {
    WatchFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final ApiClient api;
  private final String jobId;
  private final ProgressView view;
  private final PrintWriter err;
  private final Settings settings;
  private JobState state = JobState.EMPTY;
  private long lastVersion;
  private long drawFrom = 1;

  JobWatch(ApiClient api, String jobId, ProgressView view, PrintWriter err, Settings settings) {
    this.api = api;
    this.jobId = jobId;
    this.view = view;
    this.err = err;
    this.settings = settings;
  }

  /**
   * Draws the job only once it has reached {@code version}: the events before it are folded silently (a job
   * reprocessed just now need not show its earlier runs).
   */
  JobWatch drawFrom(long version) {
    this.drawFrom = version;
    return this;
  }

  /**
   * Blocks until the job is completed, failed or cancelled and returns its state. Fails with
   * {@link ApiClient.ApiException} when the gateway refuses (unknown job, bad key), with {@link WatchFailed} when
   * the stream cannot be reopened within {@link Settings#giveUpAfter()}.
   */
  JobState follow() throws InterruptedException {
    api.job(jobId); // an unknown job or a bad key is an answer, not something to retry
    Duration backoff = FIRST_BACKOFF;
    long lastHeardNanos = System.nanoTime();
    while (true) {
      Outcome outcome = connectOnce();
      if (outcome.progressed()) {
        lastHeardNanos = System.nanoTime();
        backoff = FIRST_BACKOFF;
      }
      if (outcome.endedAtTerminal()) {
        if (currentVersion() <= lastVersion) {
          view.finish(state);
          return state;
        }
        continue; // reprocessed since that end: follow the new run
      }
      if (System.nanoTime() - lastHeardNanos > settings.giveUpAfter().toNanos()) {
        throw new WatchFailed("no events from " + api.api() + " for " + settings.giveUpAfter().toSeconds()
            + " s (" + outcome.why() + "); the job was at version " + lastVersion);
      }
      view.interrupted();
      err.printf("connection lost (%s); resuming from version %d in %d ms%n", outcome.why(), lastVersion + 1,
          backoff.toMillis());
      err.flush();
      Thread.sleep(backoff.toMillis());
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
  }

  /**
   * The job's version as the gateway shows it now, to tell whether the job moved on after the end just seen. A
   * gateway that cannot answer leaves that end standing: it was seen, and it is the newest known.
   */
  private long currentVersion() {
    try {
      return api.job(jobId).getLong("version", 0L);
    } catch (ApiClient.ApiException e) {
      if (e.status != 0 && e.status < 500) {
        throw e;
      }
      err.println("could not check whether job " + jobId + " was reprocessed since (" + e + ")");
      err.flush();
      return lastVersion;
    }
  }

  /** How one connection ended. */
  private record Outcome(boolean progressed, boolean endedAtTerminal, String why) {}

  private sealed interface Signal {}

  private record Frame(String text) implements Signal {}

  private record Alive() implements Signal {}

  private record Closed(int code, String reason) implements Signal {}

  private record Failed(Throwable error) implements Signal {}

  private Outcome connectOnce() throws InterruptedException {
    BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    WebSocket ws;
    try {
      ws = api.events(jobId, lastVersion + 1, new Listener(signals)).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        int status = h.getResponse().statusCode();
        if (status == 401 || status == 403 || status == 404) {
          throw new ApiClient.ApiException(status, status == 404 ? "JOB_NOT_FOUND" : "UNAUTHORIZED",
              "the gateway refused the event stream of job " + jobId, OptionalLong.empty());
        }
        return new Outcome(false, false, "upgrade refused with HTTP " + status);
      }
      return new Outcome(false, false, ApiClient.describe(e));
    } catch (TimeoutException e) {
      return new Outcome(false, false, "no WebSocket within 30 s");
    }
    boolean progressed = false;
    long terminalAt = -1;
    try {
      while (true) {
        Signal signal = signals.poll(settings.silence().toMillis(), TimeUnit.MILLISECONDS);
        if (signal == null) {
          ws.abort();
          return new Outcome(progressed, false, "nothing heard for " + settings.silence().toSeconds() + " s");
        }
        if (signal instanceof Frame frame) {
          JsonObject event;
          try {
            event = new JsonObject(frame.text());
          } catch (DecodeException e) {
            ws.abort();
            return new Outcome(progressed, false, "a frame that is not JSON");
          }
          long version = event.getLong("version", 0L);
          if (version <= lastVersion) {
            continue; // already folded
          }
          if (version != lastVersion + 1) {
            ws.abort();
            return new Outcome(progressed, false, "a gap after version " + lastVersion);
          }
          String type = event.getString("type");
          state = Job.evolve(state, JobEventJson.fromJson(type, event.getJsonObject("data")));
          lastVersion = version;
          progressed = true;
          if (version >= drawFrom) {
            view.render(state);
          }
          if (TERMINAL.contains(type)) {
            terminalAt = version;
          }
        } else if (signal instanceof Closed closed) {
          if (terminalAt == lastVersion && terminalAt > 0) {
            return new Outcome(progressed, true, "job finished");
          }
          if (closed.code() == WebSocket.NORMAL_CLOSURE && lastVersion > 0 && state.isFinished()) {
            // Opened after the end of a finished job: the gateway closes at once.
            return new Outcome(progressed, true, "job finished");
          }
          return new Outcome(progressed, false, "closed with " + closed.code()
              + (closed.reason().isEmpty() ? "" : " " + closed.reason()));
        } else if (signal instanceof Failed failed) {
          return new Outcome(progressed, false, ApiClient.describe(failed.error()));
        }
      }
    } finally {
      if (!ws.isInputClosed() || !ws.isOutputClosed()) {
        ws.abort();
      }
    }
  }

  /** Hands everything the socket says to the watching thread, one message at a time. */
  private static final class Listener implements WebSocket.Listener {
    private final BlockingQueue<Signal> signals;
    private final StringBuilder text = new StringBuilder();

    Listener(BlockingQueue<Signal> signals) {
      this.signals = signals;
    }

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        signals.add(new Frame(text.toString()));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      signals.add(new Alive());
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      signals.add(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      signals.add(new Failed(error));
    }
  }
}
