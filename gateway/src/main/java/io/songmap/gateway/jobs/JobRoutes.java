package io.songmap.gateway.jobs;

import io.songmap.eventstore.EventStore;
import io.songmap.eventstore.ReadOptions;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.songmap.gateway.http.Json;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.gateway.status.JobStatusView;
import io.songmap.job.JobCommand;
import io.songmap.job.JobRejection;
import io.songmap.job.JobState;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's jobs: status (from the projection, or from the events while it catches up), listing with cursor
 * paging, event history, cancel and reprocess. Every read is within the caller's tenant, so another tenant's
 * job is simply not found.
 */
public final class JobRoutes {
  private static final Logger log = LoggerFactory.getLogger(JobRoutes.class);
  private static final int MAX_PAGE = 100;
  private static final int MAX_EVENTS = 1000;
  private static final java.time.Duration PROJECTION_WAIT = java.time.Duration.ofSeconds(2);

  private final Tenants tenants;
  private final JobStatusQueries status;
  private final EventStore store;
  private final JobCommands commands;
  private final Clock clock;
  private final String base;
  private final Handler<RoutingContext> webSocket;

  /** {@code webSocket} takes upgrade requests to {@code /jobs/:id/events}. */
  public JobRoutes(Tenants tenants, JobStatusQueries status, EventStore store, JobCommands commands, Clock clock,
      String base, Handler<RoutingContext> webSocket) {
    this.tenants = tenants;
    this.status = status;
    this.store = store;
    this.commands = commands;
    this.clock = clock;
    this.base = base;
    this.webSocket = webSocket;
  }

  public void mount(Router api) {
    ApiKeyAuth auth = ApiKeyAuth.create(tenants);
    api.get("/jobs").handler(auth).handler(this::list);
    api.get("/jobs/:id").handler(auth).handler(this::get);
    // Left paused past authentication: a WebSocket upgrade needs the request not yet read to its end.
    api.get("/jobs/:id/events").handler(ApiKeyAuth.beforeBody(tenants)).handler(ctx -> {
      if (ctx.request().canUpgradeToWebSocket()) {
        webSocket.handle(ctx);
      } else {
        ctx.request().resume();
        events(ctx);
      }
    });
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
    // A body handler must come first on a route; these bodies are small and bounded.
    api.post("/jobs/:id/cancel").handler(body).handler(auth).handler(this::cancel);
    api.post("/jobs/:id/reprocess").handler(body).handler(auth).handler(this::reprocess);
  }

  /** The job's status view, from the projection or, while the projection lags, from its events. */
  public Future<Optional<JobStatusView>> view(String tenant, String jobId) {
    return status.get(tenant, jobId).compose(row -> row.isPresent() ? Future.succeededFuture(row)
        : commands.load(tenant, jobId).map(state -> state.exists()
            ? Optional.of(JobStatusView.fromState(state, clock.instant(), 0)) : Optional.empty()));
  }

  private void get(RoutingContext ctx) {
    String jobId = ctx.pathParam("id");
    view(ApiKeyAuth.tenant(ctx), jobId).onSuccess(v -> {
      if (v.isEmpty()) {
        ctx.fail(ApiError.notFound("job " + jobId));
      } else {
        ok(ctx, 200, v.get().toJson(base));
      }
    }).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state != null) {
      state = state.toUpperCase(java.util.Locale.ROOT);
      try {
        if (JobStatus.valueOf(state) == JobStatus.ABSENT) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("state must be one of SUBMITTED, RUNNING, COMPLETED, FAILED, CANCELLED");
      }
    }
    String limitParam = ctx.queryParams().get("limit");
    int limit = limitParam == null ? 20 : Json.intOf(limitParam, "limit");
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiError.badRequest("limit must be 1.." + MAX_PAGE);
    }
    Long cursor = decodeCursor(ctx.queryParams().get("cursor"));
    status.list(ApiKeyAuth.tenant(ctx), state, cursor, limit).onSuccess(page -> {
      JsonArray jobs = new JsonArray();
      page.jobs().forEach(j -> jobs.add(j.toJson(base)));
      ok(ctx, 200, new JsonObject().put("jobs", jobs)
          .put("nextCursor", page.nextCursor() == null ? null : encodeCursor(page.nextCursor())));
    }).onFailure(ctx::fail);
  }

  private void events(RoutingContext ctx) {
    String jobId = ctx.pathParam("id");
    String fromParam = ctx.queryParams().get("from");
    long from = fromParam == null ? 1 : Math.max(1, Json.intOf(fromParam, "from"));
    store.readStream(ApiKeyAuth.tenant(ctx), JobCommands.streamId(jobId), from, MAX_EVENTS, ReadOptions.DEFAULT)
        .onSuccess(slice -> {
          if (slice.streamVersion() == 0) {
            ctx.fail(ApiError.notFound("job " + jobId));
            return;
          }
          JsonArray events = new JsonArray();
          slice.events().forEach(e -> events.add(eventJson(e)));
          long last = slice.events().isEmpty() ? from - 1 : slice.events().get(slice.events().size() - 1).version();
          ok(ctx, 200, new JsonObject().put("jobId", jobId).put("version", slice.streamVersion())
              .put("events", events).put("nextFrom", last < slice.streamVersion() ? last + 1 : null));
        }).onFailure(ctx::fail);
  }

  /** An event as the API shows it, in the history and on WebSockets alike. */
  public static JsonObject eventJson(RecordedEvent e) {
    return new JsonObject().put("jobId", e.streamId()).put("version", e.version()).put("type", e.type())
        .put("eventId", e.eventId().toString()).put("recordedAt", e.recordedAt().toString())
        .put("data", e.dataJson());
  }

  private void cancel(RoutingContext ctx) {
    JsonObject body = Json.object(ctx);
    Object reason = body.getValue("reason");
    if (reason != null && !(reason instanceof String)) {
      throw ApiError.unprocessable("INVALID_REASON", "reason must be a string");
    }
    String jobId = ctx.pathParam("id");
    command(ctx, new JobCommand.CancelJob(jobId, reason == null ? "cancelled by the client" : (String) reason,
        clock.instant()), 200);
  }

  private void reprocess(RoutingContext ctx) {
    JsonObject body = Json.object(ctx);
    Object from = body.getValue("fromStage");
    if (!(from instanceof String fromName)) {
      throw ApiError.unprocessable("INVALID_STAGE", "fromStage (a stage name) is required");
    }
    Stage stage;
    try {
      stage = Stage.fromWireName(fromName);
    } catch (IllegalArgumentException e) {
      throw ApiError.unprocessable("INVALID_STAGE", "unknown stage " + fromName);
    }
    command(ctx, new JobCommand.ReprocessJob(ctx.pathParam("id"), stage, Json.stringMap(body, "models"),
        clock.instant()), 202);
  }

  private void command(RoutingContext ctx, JobCommand command, int statusCode) {
    String tenant = ApiKeyAuth.tenant(ctx);
    commands.handle(tenant, command, JobCommands.Meta.none())
        .onSuccess(outcome -> {
          JobState state = outcome.state();
          if (!state.exists()) {
            ctx.fail(new JobRejection.JobNotFound(command.jobId()));
            return;
          }
          if (!outcome.appended().isEmpty()) {
            log.atInfo().addKeyValue("jobId", state.jobId()).addKeyValue("tenant", tenant)
                .addKeyValue("command", command.getClass().getSimpleName()).addKeyValue("version", state.version())
                .log("job command accepted");
          }
          // Answer once reads see the change (bounded wait), as a client reading right after expects.
          Future<Void> projected = outcome.appended().isEmpty() ? Future.succeededFuture()
              : status.awaitVersion(ctx.vertx(), tenant, state.jobId(), state.version(), PROJECTION_WAIT);
          projected.onComplete(v -> ok(ctx, statusCode, JobStatusView.fromState(state, clock.instant(), 0)
              .toJson(base)));
        })
        .onFailure(ctx::fail);
  }

  private static void ok(RoutingContext ctx, int statusCode, JsonObject body) {
    ctx.response().setStatusCode(statusCode).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static String encodeCursor(long seq) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
  }

  private static Long decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid cursor");
    }
  }
}
