package io.songmap.gateway;

import io.songmap.artifacts.ArtifactStores;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.eventstore.projection.ProjectionRunner;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.intake.PartnerIntake;
import io.songmap.gateway.live.LiveEvents;
import io.songmap.avro.Topics;
import io.songmap.gateway.ops.ConsumerLag;
import io.songmap.gateway.ops.Health;
import io.songmap.gateway.ops.Metrics;
import io.songmap.gateway.ops.StageTimings;
import io.songmap.gateway.status.JobStatusProjection;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.gateway.submit.SourceUrlPolicy;
import io.songmap.gateway.submit.Submissions;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: the job status projection, the live events consumer and partner intake on this verticle's
 * context, and {@link GatewayConfig#httpInstances()} HTTP servers (API under {@code /api/v1}, WebSockets, health,
 * metrics) on the same port, each on its own event loop. Deploy it with {@link Gateway#start}.
 */
public final class GatewayVerticle extends VerticleBase {
  public static final String API = "/api/v1";
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);
  /** How often consumer lag is read from Kafka; a scrape shows the last reading. */
  private static final Duration LAG_INTERVAL = Duration.ofSeconds(5);

  private final GatewayConfig config;
  private final Clock clock;
  private Pool pool;
  private ProjectionRunner projection;
  private HttpVerticle http;
  private Health health;
  private ConsumerLag lag;
  private Tenants tenants;
  private LiveEvents live;
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
          GatewayServices services = services(store);
          // Servers of one Vert.x on the same host and port share it, port 0 included.
          HttpVerticle first = new HttpVerticle(services, config.port());
          return vertx.deployVerticle(first).compose(id -> {
            http = first;
            int others = config.httpInstances() - 1;
            return others == 0 ? Future.succeededFuture() : vertx.deployVerticle(
                () -> new HttpVerticle(services, config.port()), new DeploymentOptions().setInstances(others));
          });
        })
        .onSuccess(v -> log.info("gateway listening on {}:{} with {} HTTP instance(s)", config.host(), http.port(),
            config.httpInstances()));
  }

  private GatewayServices services(PgEventStore store) {
    tenants = new Tenants(pool);
    JobCommands commands = new JobCommands(vertx, store);
    JobStatusQueries status = new JobStatusQueries(pool);
    Submissions submissions = new Submissions(commands, clock);
    Metrics metrics = new Metrics(status);
    health = new Health(vertx, pool, config.kafkaBootstrap(), config.inferenceAddress());
    SourceUrlPolicy urlPolicy = new SourceUrlPolicy(vertx, config.allowedUrlHosts());
    if (live != null) {
      LiveEvents l = live;
      metrics.counter("songmap_live_job_events", "job events received from Kafka by this gateway", l::received);
      l.addListener(new StageTimings(metrics.registry()));
    }
    if (config.kafkaBootstrap() != null) {
      // The topics the pipeline consumes; dead-letter topics are read by people, not by consumer groups.
      lag = new ConsumerLag(vertx, config.kafkaBootstrap(), config.topics().prefix(),
          config.topics().all().stream().filter(t -> !t.endsWith(Topics.DLQ_SUFFIX)).toList(), LAG_INTERVAL,
          metrics.registry());
    }
    if (config.partnerIntake()) {
      // Runs on this verticle's context.
      intake = PartnerIntake.start(vertx, config.kafkaBootstrap(), config.topics(), config.intakeMaxInFlight(),
          tenants, submissions, urlPolicy);
      metrics.gauge("songmap_partner_intake_in_flight", "partner submissions being handled", intake::inFlight);
    }
    return new GatewayServices(config, clock, store, commands, tenants, status, submissions,
        ArtifactStores.fromEnv(vertx, System.getenv(), config.artifactsDir()), urlPolicy, live, metrics, health,
        metrics.counter("songmap_websocket_slow_clients_dropped")::increment, openApi);
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
    // The HTTP instances, deployed from here, are undeployed before this runs.
    return Future.succeededFuture()
        .compose(v -> live == null ? Future.succeededFuture() : live.stop())
        .compose(v -> intake == null ? Future.succeededFuture() : intake.stop())
        .compose(v -> projection == null ? Future.succeededFuture() : projection.stop())
        .compose(v -> health == null && lag == null ? Future.succeededFuture()
            : vertx.executeBlocking(() -> {
              if (lag != null) {
                lag.close();
              }
              if (health != null) {
                health.close();
              }
              return null;
            }))
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The port the HTTP server listens on (useful with port 0). */
  public int port() {
    return http.port();
  }

  public Tenants tenants() {
    return tenants;
  }

  public ProjectionRunner projection() {
    return projection;
  }

  /** The root router, for checking the routes against the OpenAPI document. */
  public Router router() {
    return http.root();
  }

  /** The router mounted at {@link #API}. */
  public Router apiRouter() {
    return http.api();
  }
}
