package io.songmap.gateway.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code /health/live}: the process answers. {@code /health/ready}: PostgreSQL answers a query, Kafka its
 * cluster metadata, and the inference server (when configured) accepts a connection; 503 naming what is down
 * otherwise.
 */
public final class Health implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Vertx vertx;
  private final Map<String, Supplier<Future<Void>>> checks = new LinkedHashMap<>();
  private Admin admin;
  private NetClient net;

  public Health(Vertx vertx, Pool pool, String kafkaBootstrap, String inferenceAddress) {
    this.vertx = vertx;
    checks.put("postgres", () -> pool.query("SELECT 1").execute().mapEmpty());
    if (kafkaBootstrap != null) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
      admin = Admin.create(p);
      checks.put("kafka", () -> vertx.executeBlocking(() -> {
        admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return null;
      }, false));
    }
    if (inferenceAddress != null) {
      net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) TIMEOUT.toMillis()));
      int colon = inferenceAddress.lastIndexOf(':');
      String host = inferenceAddress.substring(0, colon);
      int port = Integer.parseInt(inferenceAddress.substring(colon + 1));
      checks.put("inference", () -> net.connect(port, host).compose(socket -> socket.close()));
    }
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    Map<String, Future<Void>> running = new LinkedHashMap<>();
    checks.forEach((name, check) -> {
      Future<Void> f;
      try {
        f = check.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      running.put(name, f.timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    });
    Future.join(running.values().stream().map(f -> (Future<?>) f).toList()).onComplete(all -> {
      JsonObject details = new JsonObject();
      boolean up = true;
      for (var e : running.entrySet()) {
        boolean ok = e.getValue().succeeded();
        up &= ok;
        details.put(e.getKey(), ok ? "UP" : "DOWN: " + e.getValue().cause().getMessage());
      }
      json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", details));
    });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
    if (net != null) {
      net.close();
    }
  }
}
