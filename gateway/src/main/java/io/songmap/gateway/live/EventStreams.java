package io.songmap.gateway.live;

import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.StreamSlice;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.songmap.gateway.http.Json;
import io.songmap.gateway.jobs.JobRoutes;
import io.songmap.job.JobEventType;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket event streams. A job stream sends the job's stored events from {@code from}, then every newer one as
 * Kafka announces it; both come out of the event store, in version order, each exactly once: a live event only
 * moves the version the stream must reach, and the stream reads the store from the last version it sent. So a
 * client that reconnects with {@code from} = last version + 1 misses nothing and gets nothing twice, and an event
 * announced while the history is still being sent is not lost.
 *
 * <p>Each socket has a bounded outgoing buffer. While it is full nothing more is read for that client; if it
 * stays full for the grace period, or too many live events pile up behind it, the client is dropped (1008), and
 * nobody else waits for it.
 */
public final class EventStreams {
  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);
  private static final int PAGE = 200;
  private static final Set<String> TERMINAL = Set.of(JobEventType.JOB_COMPLETED.typeName(),
      JobEventType.JOB_FAILED.typeName(), JobEventType.JOB_CANCELLED.typeName());

  /** Settings of the sockets. */
  public record Settings(Duration pingInterval, int writeQueueBytes, Duration slowClientGrace, int maxPendingEvents) {}

  private final Vertx vertx;
  private final EventStore store;
  private final LiveEvents live;
  private final Settings settings;
  private final AtomicInteger open;
  private final Runnable onSlowClientDropped;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final long pingTimer;

  /**
   * @param openGauge kept at the number of open sockets
   * @param onSlowClientDropped called for each client dropped for not keeping up
   */
  public EventStreams(Vertx vertx, EventStore store, LiveEvents live, Settings settings, AtomicInteger openGauge,
      Runnable onSlowClientDropped) {
    this.vertx = vertx;
    this.store = store;
    this.live = live;
    this.settings = settings;
    this.open = openGauge;
    this.onSlowClientDropped = onSlowClientDropped;
    this.pingTimer = vertx.setPeriodic(settings.pingInterval().toMillis(), id -> {
      for (Stream s : streams) {
        s.ping();
      }
    });
  }

  /** Upgrades {@code GET /jobs/:id/events?from=} to a job stream; 404 when the tenant has no such job. */
  public void job(RoutingContext ctx) {
    String tenant = ApiKeyAuth.tenant(ctx);
    String jobId = ctx.pathParam("id");
    String fromParam = ctx.queryParams().get("from");
    long from = Math.max(1, fromParam == null ? 1 : Json.intOf(fromParam, "from"));
    if (live == null) {
      throw new ApiError(503, "UNAVAILABLE", "live events are not configured on this gateway");
    }
    store.readStream(tenant, JobCommands.streamId(jobId), 1, 1, ReadOptions.DEFAULT).compose(slice -> {
      if (slice.streamVersion() == 0) {
        return Future.failedFuture(ApiError.notFound("job " + jobId));
      }
      return ctx.request().toWebSocket();
    }).onSuccess(ws -> new JobStream(ws, tenant, jobId, from).start()).onFailure(ctx::fail);
  }

  /** Upgrades {@code GET /events} to a stream of the tenant's jobs' live events. */
  public void tenant(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.request().resume();
      throw ApiError.badRequest("this is a WebSocket endpoint");
    }
    if (live == null) {
      throw new ApiError(503, "UNAVAILABLE", "live events are not configured on this gateway");
    }
    String tenant = ApiKeyAuth.tenant(ctx);
    ctx.request().toWebSocket().onSuccess(ws -> new TenantStream(ws, tenant).start()).onFailure(ctx::fail);
  }

  /** Mounts {@code GET /events}; job streams are upgrades of {@code GET /jobs/:id/events}, see {@link #job}. */
  public void mount(Router api, Tenants tenants) {
    api.get("/events").handler(ApiKeyAuth.beforeBody(tenants)).handler(this::tenant);
  }

  /** Closes every socket (1001, going away) and stops pinging. */
  public void close() {
    vertx.cancelTimer(pingTimer);
    for (Stream s : streams) {
      s.drop((short) 1001, "server shutting down");
    }
  }

  /** What every socket shares: its buffer, its slow-client timer, its registration. */
  private abstract class Stream {
    final ServerWebSocket ws;
    final String tenant;
    LiveEvents.Registration registration;
    boolean closed;
    long slowTimer = -1;

    Stream(ServerWebSocket ws, String tenant) {
      this.ws = ws;
      this.tenant = tenant;
    }

    void start() {
      streams.add(this);
      open.incrementAndGet();
      ws.setWriteQueueMaxSize(settings.writeQueueBytes());
      ws.closeHandler(v -> ended());
      ws.exceptionHandler(err -> log.debug("WebSocket of {}: {}", tenant, err.toString()));
      ws.handler(buffer -> { }); // clients have nothing to say; their frames are read and dropped
      ws.drainHandler(v -> {
        if (slowTimer >= 0) {
          vertx.cancelTimer(slowTimer);
          slowTimer = -1;
        }
        pump();
      });
      begin();
    }

    abstract void begin();

    abstract void pump();

    boolean blocked() {
      if (!ws.writeQueueFull()) {
        return false;
      }
      if (slowTimer < 0) {
        slowTimer = vertx.setTimer(settings.slowClientGrace().toMillis(), id -> {
          slowTimer = -1;
          if (ws.writeQueueFull()) {
            dropSlow();
          }
        });
      }
      return true;
    }

    void send(RecordedEvent e) {
      ws.writeTextMessage(JobRoutes.eventJson(e).encode());
    }

    void ping() {
      if (!closed) {
        ws.writePing(Buffer.buffer("ping"));
      }
    }

    void dropSlow() {
      if (!closed) {
        log.atInfo().addKeyValue("tenant", tenant).log("WebSocket client dropped: its buffer stayed full");
        onSlowClientDropped.run();
        drop((short) 1008, "client too slow");
      }
    }

    void drop(short code, String reason) {
      if (closed) {
        return;
      }
      ended();
      ws.close(code, reason);
    }

    void ended() {
      if (closed) {
        return;
      }
      closed = true;
      streams.remove(this);
      open.decrementAndGet();
      if (registration != null) {
        registration.cancel();
      }
      if (slowTimer >= 0) {
        vertx.cancelTimer(slowTimer);
      }
    }

    void failed(Throwable err) {
      log.warn("event stream of {} failed: {}", tenant, err.toString());
      drop((short) 1011, "could not read events");
    }
  }

  /** One job: history from {@code from}, then live, until the job finishes. */
  private final class JobStream extends Stream {
    final String jobId;
    long lastSent;
    long target; // the newest version Kafka announced
    boolean caughtUp; // the store had nothing after lastSent when last read
    boolean endChecked;
    boolean reading;
    int emptyReads;

    JobStream(ServerWebSocket ws, String tenant, String jobId, long from) {
      super(ws, tenant);
      this.jobId = jobId;
      this.lastSent = from - 1;
    }

    @Override
    void begin() {
      // Subscribe first, read second: whatever commits after the read is announced to this registration.
      registration = live.subscribe(tenant, jobId, event -> {
        if (event.version() > target) {
          target = event.version();
        }
        if (ws.writeQueueFull() && target - lastSent > settings.maxPendingEvents()) {
          dropSlow();
        } else {
          pump();
        }
      });
      pump();
    }

    @Override
    void pump() {
      if (closed || reading || (caughtUp && lastSent >= target) || blocked()) {
        return;
      }
      reading = true;
      store.readStream(tenant, JobCommands.streamId(jobId), lastSent + 1, PAGE, ReadOptions.DEFAULT)
          .onComplete(ar -> {
            reading = false;
            if (closed) {
              return;
            }
            if (ar.failed()) {
              failed(ar.cause());
              return;
            }
            StreamSlice slice = ar.result();
            for (RecordedEvent e : slice.events()) {
              send(e);
              lastSent = e.version();
              if (TERMINAL.contains(e.type())) {
                finish();
                return;
              }
            }
            caughtUp = slice.events().size() < PAGE;
            if (!endChecked) {
              endChecked = true;
              if (slice.events().isEmpty() && slice.streamVersion() > 0 && slice.streamVersion() <= lastSent) {
                closeIfFinished(slice.streamVersion());
                return;
              }
            }
            if (slice.events().isEmpty() && lastSent < target) {
              // Announced but not readable yet (or never: an announcement of nothing we store); look again soon.
              if (++emptyReads > 50) {
                target = lastSent;
              }
              vertx.setTimer(100, id -> pump());
              return;
            }
            emptyReads = 0;
            pump();
          });
    }

    /** A client that asks for events after the last one of a finished job is told so at once. */
    private void closeIfFinished(long lastVersion) {
      reading = true;
      store.readStream(tenant, JobCommands.streamId(jobId), lastVersion, 1, ReadOptions.DEFAULT).onComplete(ar -> {
        reading = false;
        if (ar.succeeded() && !ar.result().events().isEmpty()
            && TERMINAL.contains(ar.result().events().get(0).type())) {
          finish();
        } else {
          pump();
        }
      });
    }

    private void finish() {
      ended();
      ws.close((short) 1000, "job finished");
    }
  }

  /** Every job of a tenant, live only: each announced event is read from the store and sent once. */
  private final class TenantStream extends Stream {
    final ArrayDeque<LiveEvents.LiveEvent> pending = new ArrayDeque<>();
    final Map<String, Long> lastSent = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > 10_000; // jobs followed at once; an evicted one is long finished
      }
    };
    boolean reading;

    TenantStream(ServerWebSocket ws, String tenant) {
      super(ws, tenant);
    }

    @Override
    void begin() {
      registration = live.subscribeTenant(tenant, event -> {
        pending.add(event);
        if (pending.size() > settings.maxPendingEvents()) {
          dropSlow();
        } else {
          pump();
        }
      });
    }

    @Override
    void pump() {
      if (closed || reading || pending.isEmpty() || blocked()) {
        return;
      }
      LiveEvents.LiveEvent next = pending.poll();
      long sent = lastSent.getOrDefault(next.jobId(), 0L);
      if (next.version() <= sent) {
        pump();
        return;
      }
      reading = true;
      long from = sent == 0 ? next.version() : sent + 1;
      store.readStream(tenant, JobCommands.streamId(next.jobId()), from, (int) (next.version() - from + 1),
          ReadOptions.DEFAULT).onComplete(ar -> {
            reading = false;
            if (closed) {
              return;
            }
            if (ar.failed()) {
              failed(ar.cause());
              return;
            }
            for (RecordedEvent e : ar.result().events()) {
              send(e);
              lastSent.put(next.jobId(), e.version());
            }
            pump();
          });
    }
  }
}
