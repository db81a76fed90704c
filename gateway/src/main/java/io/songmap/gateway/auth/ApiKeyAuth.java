package io.songmap.gateway.auth;

import io.songmap.gateway.http.ApiError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Authenticates {@code Authorization: Bearer <key>} (and, on WebSocket upgrades, where browsers cannot set
 * headers, {@code ?access_token=<key>}) and puts the key's tenant on the context.
 *
 * <p>The request is paused before the key is looked up, so that a body arriving meanwhile waits for whichever
 * handler reads it (a streamed upload, a body handler); handlers that read no body are given a resumed request.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {
  private static final String TENANT = "songmap.tenant";

  private final Tenants tenants;
  private final boolean leavePaused;

  private ApiKeyAuth(Tenants tenants, boolean leavePaused) {
    this.tenants = tenants;
    this.leavePaused = leavePaused;
  }

  /** For routes whose next handler reads the body itself. */
  public static ApiKeyAuth beforeBody(Tenants tenants) {
    return new ApiKeyAuth(tenants, true);
  }

  /** For routes that read no body. */
  public static ApiKeyAuth create(Tenants tenants) {
    return new ApiKeyAuth(tenants, false);
  }

  /** The authenticated tenant of a request that passed this handler. */
  public static String tenant(RoutingContext ctx) {
    return ctx.get(TENANT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.request().pause();
    String key = keyOf(ctx);
    if (key == null) {
      ctx.fail(unauthorized("missing API key: send Authorization: Bearer <key>"));
      return;
    }
    tenants.authenticate(key).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        ctx.fail(unauthorized("invalid API key"));
      } else {
        ctx.put(TENANT, ar.result().get());
        if (!leavePaused) {
          ctx.request().resume();
        }
        ctx.next();
      }
    });
  }

  private static String keyOf(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    if (ctx.request().canUpgradeToWebSocket()) {
      return ctx.request().getParam("access_token");
    }
    return null;
  }

  private static ApiError unauthorized(String message) {
    return new ApiError(401, "UNAUTHORIZED", message, Map.of("WWW-Authenticate", "Bearer"));
  }
}
