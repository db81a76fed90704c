package io.songmap.gateway.http;

import io.songmap.artifacts.ArtifactNotFound;
import io.songmap.artifacts.ArtifactTooLarge;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.eventstore.WrongExpectedVersion;
import io.songmap.job.JobRejection;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into an HTTP answer: {@code {code, message}} with its status. Domain
 * rejections map by their codes; failures nobody expected are 500 and the only ones logged at error level.
 */
public final class ErrorTranslator {
  private static final Logger log = LoggerFactory.getLogger(ErrorTranslator.class);

  private ErrorTranslator() {
  }

  /** The status, code and message a failure is answered with. */
  public record Answer(int status, String code, String message, Map<String, String> headers) {
    public JsonObject body() {
      return new JsonObject().put("code", code).put("message", message);
    }
  }

  public static Answer translate(Throwable failure) {
    return translate(failure, null);
  }

  /**
   * As {@link #translate(Throwable)}; an unexpected failure is logged with the request's method, path, tenant
   * and job id when {@code ctx} is given.
   */
  public static Answer translate(Throwable failure, RoutingContext ctx) {
    if (failure instanceof ApiError e) {
      return new Answer(e.status(), e.code(), e.getMessage(), e.headers());
    }
    if (failure instanceof JobRejection r) {
      int status = switch (r.code()) {
        case "JOB_NOT_FOUND" -> 404;
        case "JOB_ALREADY_EXISTS", "JOB_ALREADY_FINISHED", "REPROCESS_NOT_ALLOWED" -> 409;
        default -> 422;
      };
      return new Answer(status, r.code(), r.getMessage(), Map.of());
    }
    if (failure instanceof ArtifactTooLarge e) {
      return new Answer(413, "UPLOAD_TOO_LARGE", e.getMessage(), Map.of("Connection", "close"));
    }
    if (failure instanceof ArtifactNotFound) {
      return new Answer(404, "NOT_FOUND", "artifact not found", Map.of());
    }
    if (failure instanceof WrongExpectedVersion) {
      return new Answer(409, "CONFLICT", "the job changed meanwhile; try again", Map.of());
    }
    if (failure instanceof HttpException e && e.getStatusCode() < 500) {
      return forStatus(e.getStatusCode());
    }
    if (failure instanceof DecodeException) {
      return new Answer(400, "BAD_REQUEST", "the body is not valid JSON", Map.of());
    }
    if (failure instanceof ConnectException || failure instanceof java.util.concurrent.TimeoutException
        || failure instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57"))) {
      return new Answer(503, "UNAVAILABLE", "a backing service is unavailable; try again", Map.of("Retry-After", "5"));
    }
    var line = log.atError().setCause(failure);
    if (ctx != null) {
      line = line.addKeyValue("method", ctx.request().method().name()).addKeyValue("path", ctx.normalizedPath());
      String tenant = ApiKeyAuth.tenant(ctx);
      if (tenant != null) {
        line = line.addKeyValue("tenant", tenant);
      }
      String jobId = ctx.pathParam("id");
      if (jobId != null) {
        line = line.addKeyValue("jobId", jobId);
      }
    }
    line.log("request failed unexpectedly");
    return new Answer(500, "INTERNAL", "internal error", Map.of());
  }

  /** Answers a status the router produced itself (no route, wrong method, body too large...). */
  public static Answer forStatus(int status) {
    return switch (status) {
      case 400 -> new Answer(400, "BAD_REQUEST", "bad request", Map.of());
      case 401 -> new Answer(401, "UNAUTHORIZED", "missing or invalid API key", Map.of());
      case 404 -> new Answer(404, "NOT_FOUND", "no such resource", Map.of());
      case 405 -> new Answer(405, "METHOD_NOT_ALLOWED", "method not allowed", Map.of());
      case 413 -> new Answer(413, "BODY_TOO_LARGE", "request body too large", Map.of());
      case 415 -> new Answer(415, "UNSUPPORTED_MEDIA_TYPE", "unsupported content type", Map.of());
      default -> new Answer(status, status >= 500 ? "INTERNAL" : "ERROR", "request failed", Map.of());
    };
  }

  /** Router failure handler: every failed route ends here. */
  public static void handle(RoutingContext ctx) {
    Answer a = ctx.failure() != null ? translate(ctx.failure(), ctx) : forStatus(ctx.statusCode());
    send(ctx, a);
  }

  public static void send(RoutingContext ctx, Answer a) {
    ctx.request().resume(); // a body nobody will read is drained, not left to stall the connection
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    var response = ctx.response().setStatusCode(a.status()).putHeader("Content-Type", "application/json");
    a.headers().forEach(response::putHeader);
    response.end(a.body().encode());
  }
}
