package io.songmap.gateway.live;

import io.songmap.eventstore.AllEventsPage;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.Position;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.StreamSlice;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.songmap.gateway.http.Json;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket event streams. A job stream sends the job's stored events from {@code from}, then every newer one as
 * Kafka announces it, in version order, each exactly once; a tenant stream sends the live events of all the
 * tenant's jobs, after its stored ones from a position in the global log when asked.
 *
 * <p>The sockets following one job share a {@link JobHub}: it reads each newly announced version range from the
 * store once, encodes each event once as a {@link Frame} and keeps the last few, which every follower at the tail
 * sends as they are. Each socket still tracks the last version it sent: one that starts behind (history), or falls
 * behind the frames the hub keeps, reads the store itself from there until it is back at the tail. So a client
 * that reconnects with {@code from} = last version + 1 misses nothing and gets nothing twice, and an event
 * announced while the history is still being sent is not lost. The sockets of one tenant share a
 * {@link TenantHub} the same way. Hubs belong to one event loop (one per HTTP server instance) and end with their
 * last socket, or with the job.
 *
 * <p>Each socket has a bounded outgoing buffer. While it is full nothing more is sent to that client; if it stays
 * full for the grace period, or too many live events pile up behind it, the client is dropped (1008), and nobody
 * else waits for it.
 */
public final class EventStreams {
  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);
  private static final int PAGE = 200;
  /** Frames a job hub keeps for followers a little behind; further back they read the store. */
  private static final int RECENT = 16;
  /** Jobs whose last version a tenant stream remembers; an evicted one is long finished. */
  private static final int JOBS_REMEMBERED = 10_000;

  /** Settings of the sockets. */
  public record Settings(Duration pingInterval, int writeQueueBytes, Duration slowClientGrace, int maxPendingEvents) {}

  private final Vertx vertx;
  private final EventStore store;
  private final LiveEvents live;
  private final Settings settings;
  private final AtomicInteger open;
  private final Runnable onSlowClientDropped;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  /**
   * Sockets are pinged a slice at a time, one slice per tick, so that ten thousand pings never leave at once and
   * hold back the live frames queued behind them on the event loop.
   */
  private static final int PING_SLICES = 32;
  private final List<Set<Stream>> pingSlices = new ArrayList<>();
  private final AtomicInteger nextPingSlice = new AtomicInteger();
  private int pingTick;
  private final Map<String, JobHub> jobHubs = new HashMap<>();
  private final Map<String, TenantHub> tenantHubs = new HashMap<>();
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
    for (int i = 0; i < PING_SLICES; i++) {
      pingSlices.add(ConcurrentHashMap.newKeySet());
    }
    long tick = Math.max(1, settings.pingInterval().toMillis() / PING_SLICES);
    this.pingTimer = vertx.setPeriodic(tick, id -> {
      for (Stream s : pingSlices.get(pingTick)) {
        s.ping();
      }
      pingTick = (pingTick + 1) % PING_SLICES;
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

  /**
   * Upgrades {@code GET /events?from=} to a stream of the tenant's jobs' events: the stored ones after the
   * position {@code from} (as a frame's {@code position} gives it), when present, then the live ones.
   */
  public void tenant(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.request().resume();
      throw ApiError.badRequest("this is a WebSocket endpoint");
    }
    if (live == null) {
      throw new ApiError(503, "UNAVAILABLE", "live events are not configured on this gateway");
    }
    String tenant = ApiKeyAuth.tenant(ctx);
    String fromParam = ctx.queryParams().get("from");
    Position from = fromParam == null ? null : position(fromParam);
    ctx.request().toWebSocket().onSuccess(ws -> new TenantStream(ws, tenant, from).start()).onFailure(ctx::fail);
  }

  /** A position as {@link Position#toString()} writes it ({@code <tx>/<global position>}); {@code 0} is the start. */
  static Position position(String text) {
    if (text.equals("0")) {
      return Position.START;
    }
    int slash = text.indexOf('/');
    try {
      if (slash > 0) {
        long tx = Long.parseUnsignedLong(text.substring(0, slash));
        long globalPosition = Long.parseLong(text.substring(slash + 1));
        if (globalPosition >= 0) {
          return new Position(tx, globalPosition);
        }
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest("from must be a position as frames carry it (<tx>/<global position>), or 0");
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

  /** What every socket shares: its buffer, its slow-client timer, its hub. */
  private abstract class Stream {
    final ServerWebSocket ws;
    final String tenant;
    boolean closed;
    long slowTimer = -1;
    int pingSlice;

    Stream(ServerWebSocket ws, String tenant) {
      this.ws = ws;
      this.tenant = tenant;
    }

    void start() {
      streams.add(this);
      pingSlice = Math.floorMod(nextPingSlice.getAndIncrement(), PING_SLICES);
      pingSlices.get(pingSlice).add(this);
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

    /** Joins the hub and starts sending. */
    abstract void begin();

    abstract void pump();

    /** Leaves the hub. */
    abstract void left();

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

    void send(Frame frame) {
      ws.writeFrame(frame.toWebSocketFrame());
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
      pingSlices.get(pingSlice).remove(this);
      open.decrementAndGet();
      left();
      if (slowTimer >= 0) {
        vertx.cancelTimer(slowTimer);
      }
    }

    void failed(Throwable err) {
      log.warn("event stream of {} failed: {}", tenant, err.toString());
      drop((short) 1011, "could not read events");
    }
  }

  /**
   * The followers of one job on this event loop. Until a follower has read the store to its end the hub does not
   * know where the job stands, so it reads nothing ({@code based} false); from then on it reads each version range
   * Kafka announces past {@code head} once.
   */
  private final class JobHub {
    final String key;
    final String tenant;
    final String jobId;
    final Set<JobStream> followers = new LinkedHashSet<>();
    final LiveEvents.Registration registration;
    /** Frames of consecutive versions, the newest being {@code head}. */
    final ArrayDeque<Frame> recent = new ArrayDeque<>();
    boolean based;
    long head; // the newest version read
    long target; // the newest version announced
    boolean reading;
    int emptyReads;
    boolean freed;

    JobHub(String key, String tenant, String jobId) {
      this.key = key;
      this.tenant = tenant;
      this.jobId = jobId;
      this.registration = live.subscribe(tenant, jobId, this::announced);
    }

    private void announced(LiveEvents.LiveEvent event) {
      if (freed) {
        return;
      }
      if (event.version() > target) {
        target = event.version();
      }
      for (JobStream s : List.copyOf(followers)) {
        s.announced(target);
      }
      read();
    }

    /** The frame of {@code version} if the hub still keeps it. */
    Frame frame(long version) {
      if (recent.isEmpty() || version > head || version <= head - recent.size()) {
        return null;
      }
      int back = (int) (head - version);
      var it = recent.descendingIterator();
      for (int i = 0; i < back; i++) {
        it.next();
      }
      return it.next();
    }

    /** A follower read the store to its end, where the job stood at {@code version}. */
    void base(long version) {
      if (based || freed) {
        return;
      }
      based = true;
      head = version;
      read();
    }

    private void read() {
      if (freed || reading || !based || head >= target) {
        return;
      }
      reading = true;
      store.readStream(tenant, JobCommands.streamId(jobId), head + 1, PAGE, ReadOptions.DEFAULT).onComplete(ar -> {
        reading = false;
        if (freed) {
          return;
        }
        if (ar.failed()) {
          for (JobStream s : List.copyOf(followers)) {
            s.failed(ar.cause());
          }
          return;
        }
        List<RecordedEvent> events = ar.result().events();
        boolean finished = false;
        for (RecordedEvent e : events) {
          if (e.version() != head + 1) {
            continue;
          }
          Frame f = Frame.ofJob(e);
          recent.addLast(f);
          if (recent.size() > RECENT) {
            recent.removeFirst();
          }
          head = e.version();
          if (f.terminal()) {
            finished = true;
            break;
          }
        }
        if (finished) {
          free(); // its followers still take the last frames from it
        } else if (events.isEmpty() && head < target) {
          // Announced but not readable yet (or never: an announcement of nothing we store); look again soon.
          if (++emptyReads > 50) {
            target = head;
          } else {
            vertx.setTimer(100, id -> read());
          }
        } else {
          emptyReads = 0;
        }
        for (JobStream s : List.copyOf(followers)) {
          s.pump();
        }
        read();
      });
    }

    void leave(JobStream s) {
      followers.remove(s);
      if (followers.isEmpty()) {
        free();
      }
    }

    private void free() {
      if (!freed) {
        freed = true;
        registration.cancel();
        jobHubs.remove(key, this);
      }
    }
  }

  /** One job: history from {@code from}, then live, until the job finishes. */
  private final class JobStream extends Stream {
    final String jobId;
    long lastSent;
    JobHub hub;
    boolean endChecked;
    boolean reading;

    JobStream(ServerWebSocket ws, String tenant, String jobId, long from) {
      super(ws, tenant);
      this.jobId = jobId;
      this.lastSent = from - 1;
    }

    @Override
    void begin() {
      // Join first, read second: whatever commits after the read is announced to the hub.
      String key = tenant + "/" + jobId;
      hub = jobHubs.computeIfAbsent(key, k -> new JobHub(k, tenant, jobId));
      hub.followers.add(this);
      pump();
    }

    @Override
    void left() {
      if (hub != null) {
        hub.leave(this);
      }
    }

    /** Kafka announced {@code target}; a client already full and that far behind is dropped. */
    void announced(long target) {
      if (ws.writeQueueFull() && target - lastSent > settings.maxPendingEvents()) {
        dropSlow();
      }
    }

    @Override
    void pump() {
      if (closed || reading) {
        return;
      }
      while (!blocked()) {
        Frame next = hub.frame(lastSent + 1);
        if (next == null) {
          if (!hub.based || hub.head > lastSent) {
            readStore(); // behind what the hub keeps, or nobody has found the job's end yet
          }
          return; // otherwise at the tail: the hub brings what comes next
        }
        send(next);
        lastSent = next.version();
        if (next.terminal()) {
          finish();
          return;
        }
      }
    }

    private void readStore() {
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
              Frame kept = hub.frame(e.version());
              Frame f = kept != null ? kept : Frame.ofJob(e);
              send(f);
              lastSent = e.version();
              if (f.terminal()) {
                finish();
                return;
              }
            }
            if (slice.events().size() < PAGE) {
              if (!endChecked && slice.events().isEmpty() && slice.streamVersion() > 0
                  && slice.streamVersion() <= lastSent) {
                endChecked = true;
                closeIfFinished(slice.streamVersion());
                return;
              }
              endChecked = true;
              hub.base(slice.streamVersion());
            }
            pump();
          });
    }

    /** A client that asks for events after the last one of a finished job is told so at once. */
    private void closeIfFinished(long lastVersion) {
      reading = true;
      store.readStream(tenant, JobCommands.streamId(jobId), lastVersion, 1, ReadOptions.DEFAULT).onComplete(ar -> {
        reading = false;
        if (closed) {
          return;
        }
        if (ar.succeeded() && !ar.result().events().isEmpty() && Frame.isTerminal(ar.result().events().get(0))) {
          finish();
        } else {
          hub.base(lastVersion);
          pump();
        }
      });
    }

    private void finish() {
      ended();
      ws.close((short) 1000, "job finished");
    }
  }

  /**
   * The followers of one tenant on this event loop: each announced event is read from the store once (with any
   * versions of its job not read yet) and its frame handed to every follower.
   */
  private final class TenantHub {
    final String tenant;
    final Set<TenantStream> followers = new LinkedHashSet<>();
    final LiveEvents.Registration registration;
    final ArrayDeque<LiveEvents.LiveEvent> announced = new ArrayDeque<>();
    final Map<String, Long> lastRead = lastVersions();
    boolean reading;
    boolean freed;

    TenantHub(String tenant) {
      this.tenant = tenant;
      this.registration = live.subscribeTenant(tenant, event -> {
        announced.add(event);
        read();
      });
    }

    private void read() {
      if (freed || reading) {
        return;
      }
      LiveEvents.LiveEvent next;
      long last;
      do {
        next = announced.poll();
        if (next == null) {
          return;
        }
        last = lastRead.getOrDefault(next.jobId(), 0L);
      } while (next.version() <= last);
      String jobId = next.jobId();
      long from = last == 0 ? next.version() : last + 1;
      reading = true;
      store.readStream(tenant, JobCommands.streamId(jobId), from, (int) (next.version() - from + 1),
          ReadOptions.DEFAULT).onComplete(ar -> {
            reading = false;
            if (freed) {
              return;
            }
            if (ar.failed()) {
              for (TenantStream s : List.copyOf(followers)) {
                s.failed(ar.cause());
              }
              return;
            }
            for (RecordedEvent e : ar.result().events()) {
              Frame f = Frame.ofTenant(e);
              lastRead.put(jobId, e.version());
              for (TenantStream s : List.copyOf(followers)) {
                s.offer(f);
              }
            }
            read();
          });
    }

    void leave(TenantStream s) {
      followers.remove(s);
      if (followers.isEmpty() && !freed) {
        freed = true;
        registration.cancel();
        tenantHubs.remove(tenant, this);
      }
    }
  }

  /**
   * Every job of a tenant: the stored events after {@code from} in the global log's order when asked, then the live
   * ones. Live frames that arrive while the history is read wait; those the history already sent are skipped.
   */
  private final class TenantStream extends Stream {
    final ArrayDeque<Frame> pending = new ArrayDeque<>();
    TenantHub hub;
    /** Where the stored events still to send start; null once live. */
    Position history;
    /** The last version of each job the history sent; null without history. */
    Map<String, Long> sentInHistory;
    boolean reading;
    /** Live frames were let go while the current history page was read: the history must read on. */
    boolean discarded;

    TenantStream(ServerWebSocket ws, String tenant, Position from) {
      super(ws, tenant);
      this.history = from;
      this.sentInHistory = from == null ? null : lastVersions();
    }

    @Override
    void begin() {
      // Join first, read second: whatever the history read cannot see yet is announced to the hub.
      hub = tenantHubs.computeIfAbsent(tenant, TenantHub::new);
      hub.followers.add(this);
      pump();
    }

    @Override
    void left() {
      if (hub != null) {
        hub.leave(this);
      }
    }

    void offer(Frame f) {
      if (closed) {
        return;
      }
      pending.add(f);
      if (pending.size() <= settings.maxPendingEvents()) {
        pump();
      } else if (history != null) {
        // Everything announced is readable by now, so the history, read on, brings these events too.
        pending.clear();
        discarded = true;
      } else {
        dropSlow();
      }
    }

    @Override
    void pump() {
      if (closed || reading || blocked()) {
        return;
      }
      if (history != null) {
        readHistory();
        return;
      }
      while (!pending.isEmpty() && !blocked()) {
        Frame f = pending.poll();
        Long sent = sentInHistory == null ? null : sentInHistory.get(f.jobId());
        if (sent == null || f.version() > sent) {
          send(f);
        }
      }
    }

    private void readHistory() {
      reading = true;
      discarded = false;
      store.readAll(history, EventFilter.ALL.forTenant(tenant), PAGE).onComplete(ar -> {
        reading = false;
        if (closed) {
          return;
        }
        if (ar.failed()) {
          failed(ar.cause());
          return;
        }
        AllEventsPage page = ar.result();
        for (RecordedEvent e : page.events()) {
          send(Frame.ofTenant(e));
          sentInHistory.put(e.streamId(), e.version());
        }
        history = page.events().size() < PAGE && !discarded ? null : page.last();
        pump();
      });
    }
  }

  private static Map<String, Long> lastVersions() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > JOBS_REMEMBERED;
      }
    };
  }
}
