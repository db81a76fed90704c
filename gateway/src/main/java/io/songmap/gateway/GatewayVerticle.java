package io.songmap.gateway;

import io.songmap.artifacts.ArtifactStore;
import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.eventstore.projection.ProjectionRunner;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.gateway.artifacts.ArtifactRoutes;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ErrorTranslator;
import io.songmap.gateway.intake.PartnerIntake;
import io.songmap.gateway.jobs.JobRoutes;
import io.songmap.gateway.live.EventStreams;
import io.songmap.gateway.live.LiveEvents;
import io.songmap.gateway.ops.Health;
import io.songmap.gateway.ops.Metrics;
import io.songmap.gateway.status.JobStatusProjection;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.gateway.submit.SourceUrlPolicy;
import io.songmap.gateway.submit.SubmitRoutes;
import io.songmap.gateway.submit.Submissions;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: the HTTP API under {@code /api/v1}, WebSocket event streams, the job status projection, partner
 * intake, health and metrics, all on one Vert.x context. Deploy it with {@link Gateway#start}.
 */
public final class GatewayVerticle extends VerticleBase {
  public static final String API = "/api/v1";
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewayConfig config;
  private final Clock clock;
  private Pool pool;
  private ProjectionRunner projection;
  private HttpServer server;
  private Health health;
  private Tenants tenants;
  private Router router;
  private Router api;
  private LiveEvents live;
  private EventStreams streams;
  private PartnerIntake intake;
  private final byte[] openApi;

  public GatewayVerticle(GatewayConfig config) {
    this(config, Clock.systemUTC());
  }

  public GatewayVerticle(GatewayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.openApi = readOpenApi();
  }

  @Override
  public Future<?> start() {
    PgConnectOptions pg = PgUrl.parse(config.pgUrl());
    pool = PgBuilder.pool().connectingTo(pg).with(new PoolOptions().setMaxSize(config.pgPoolSize()))
        .using(vertx).build();
    return PgEventStore.start(pool, PgEventStoreOptions.DEFAULT)
        .compose(store -> GatewaySchema.apply(pool).map(store))
        .compose(store -> ProjectionRunner.start(vertx, store, pg, new JobStatusProjection(store),
                SubscriptionOptions.named(JobStatusProjection.NAME).withOwner(config.projectionOwner()))
            .map(runner -> {
              projection = runner;
              return store;
            }))
        .compose(store -> config.kafkaBootstrap() == null ? Future.succeededFuture(store)
            : LiveEvents.start(vertx, config.kafkaBootstrap(), config.topics().jobEvents()).map(l -> {
              live = l;
              return store;
            }))
        .compose(store -> {
          ArtifactStore artifacts = new LocalArtifactStore(vertx, config.artifactsDir());
          router = routes(store, artifacts);
          HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
              .setCompressionSupported(false);
          return vertx.createHttpServer(options).requestHandler(router).listen();
        })
        .onSuccess(s -> {
          server = s;
          log.info("gateway listening on {}:{}", config.host(), s.actualPort());
        });
  }

  private Router routes(PgEventStore store, ArtifactStore artifacts) {
    tenants = new Tenants(pool);
    JobCommands commands = new JobCommands(vertx, store);
    JobStatusQueries status = new JobStatusQueries(pool);
    Submissions submissions = new Submissions(commands, clock);
    Metrics metrics = new Metrics(status);
    health = new Health(vertx, pool, config.kafkaBootstrap(), config.inferenceAddress());

    api = Router.router(vertx);
    SourceUrlPolicy urlPolicy = new SourceUrlPolicy(vertx, config.allowedUrlHosts());
    new SubmitRoutes(tenants, submissions, status, artifacts, urlPolicy,
        new SubmitRoutes.Limits(config.maxUploadBytes(), config.maxActiveJobsPerTenant(), config.retryAfter()), API)
        .mount(api);
    streams = new EventStreams(vertx, store, live, new EventStreams.Settings(config.wsPingInterval(),
        config.wsWriteQueueBytes(), config.wsSlowClientGrace(), config.wsMaxPendingEvents()), metrics.webSockets(),
        metrics.counter("songmap_websocket_slow_clients_dropped")::increment);
    new JobRoutes(tenants, status, store, commands, clock, API, streams::job).mount(api);
    streams.mount(api, tenants);
    if (live != null) {
      LiveEvents l = live;
      metrics.counter("songmap_live_job_events", "job events received from Kafka by this gateway", l::received);
    }
    if (config.partnerIntake()) {
      intake = PartnerIntake.start(vertx, config.kafkaBootstrap(), config.topics(), config.intakeMaxInFlight(),
          tenants, submissions, urlPolicy);
      metrics.gauge("songmap_partner_intake_in_flight", "partner submissions being handled", intake::inFlight);
    }
    new ArtifactRoutes(tenants, artifacts).mount(api);
    api.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(openApi)));

    Router root = Router.router(vertx);
    root.route(API + "/*").subRouter(api);
    health.mount(root);
    metrics.mount(root);
    root.route().failureHandler(ErrorTranslator::handle);
    api.route().failureHandler(ErrorTranslator::handle);
    root.errorHandler(404, ErrorTranslator::handle);
    root.errorHandler(405, ErrorTranslator::handle);
    return root;
  }

  private static byte[] readOpenApi() {
    try (InputStream in = GatewayVerticle.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/songmap/gateway/openapi.json");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Future<?> stop() {
    if (streams != null) {
      streams.close();
    }
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed
        .compose(v -> live == null ? Future.succeededFuture() : live.stop())
        .compose(v -> intake == null ? Future.succeededFuture() : intake.stop())
        .compose(v -> projection == null ? Future.succeededFuture() : projection.stop())
        .compose(v -> health == null ? Future.succeededFuture()
            : vertx.executeBlocking(() -> {
              health.close();
              return null;
            }))
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The port the HTTP server listens on (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  public Tenants tenants() {
    return tenants;
  }

  public ProjectionRunner projection() {
    return projection;
  }

  /** The root router, for checking the routes against the OpenAPI document. */
  public Router router() {
    return router;
  }

  /** The router mounted at {@link #API}. */
  public Router apiRouter() {
    return api;
  }
}
