package io.songmap.gateway;

import io.songmap.gateway.artifacts.ArtifactRoutes;
import io.songmap.gateway.http.ErrorTranslator;
import io.songmap.gateway.jobs.JobRoutes;
import io.songmap.gateway.live.EventStreams;
import io.songmap.gateway.submit.SubmitRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One HTTP server instance of the gateway: its routes and its WebSockets on one event loop. The gateway deploys
 * several on the same port, one per core by default, all sharing the services the {@link GatewayVerticle} holds.
 */
final class HttpVerticle extends VerticleBase {
  private final GatewayServices services;
  private final int port;
  private Router root;
  private Router api;
  private EventStreams streams;
  private HttpServer server;

  HttpVerticle(GatewayServices services, int port) {
    this.services = services;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = services.config();
    var metrics = services.metrics();
    api = Router.router(vertx);
    new SubmitRoutes(services.tenants(), services.submissions(), services.status(), services.artifacts(),
        services.urlPolicy(),
        new SubmitRoutes.Limits(config.maxUploadBytes(), config.maxActiveJobsPerTenant(), config.retryAfter()),
        GatewayVerticle.API).mount(api);
    streams = new EventStreams(vertx, services.store(), services.live(), new EventStreams.Settings(
        config.wsPingInterval(), config.wsWriteQueueBytes(), config.wsSlowClientGrace(), config.wsMaxPendingEvents()),
        metrics.webSockets(), services.slowClientDropped());
    new JobRoutes(services.tenants(), services.status(), services.store(), services.commands(), services.clock(),
        GatewayVerticle.API, streams::job).mount(api);
    streams.mount(api, services.tenants());
    new ArtifactRoutes(services.tenants(), services.artifacts()).mount(api);
    Buffer openApi = Buffer.buffer(services.openApi());
    api.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));

    root = Router.router(vertx);
    root.route(GatewayVerticle.API + "/*").subRouter(api);
    services.health().mount(root);
    metrics.mount(root);
    root.route().failureHandler(ErrorTranslator::handle);
    api.route().failureHandler(ErrorTranslator::handle);
    root.errorHandler(404, ErrorTranslator::handle);
    root.errorHandler(405, ErrorTranslator::handle);

    HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(port)
        .setCompressionSupported(false);
    return vertx.createHttpServer(options).requestHandler(root).listen().onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    streams.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  int port() {
    return server.actualPort();
  }

  Router root() {
    return root;
  }

  Router api() {
    return api;
  }
}
