package io.songmap.gateway;

import io.songmap.eventstore.projection.ProjectionRunner;
import io.songmap.gateway.auth.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * A running gateway. {@code Gateway.start(vertx, GatewayConfig.fromEnv())} is all a launcher needs;
 * {@link #stop()} undeploys it gracefully (server closed, projection lease released, consumers left).
 */
public final class Gateway {
  private final Vertx vertx;
  private final String deploymentId;
  private final GatewayVerticle verticle;

  private Gateway(Vertx vertx, String deploymentId, GatewayVerticle verticle) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.verticle = verticle;
  }

  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    GatewayVerticle verticle = new GatewayVerticle(config);
    return vertx.deployVerticle(verticle).map(id -> new Gateway(vertx, id, verticle));
  }

  public int port() {
    return verticle.port();
  }

  /** Tenant and API key administration ({@code songmap tenants create}). */
  public Tenants tenants() {
    return verticle.tenants();
  }

  public ProjectionRunner statusProjection() {
    return verticle.projection();
  }

  public Router router() {
    return verticle.router();
  }

  /** The router mounted at {@code /api/v1}. */
  public Router apiRouter() {
    return verticle.apiRouter();
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }
}
