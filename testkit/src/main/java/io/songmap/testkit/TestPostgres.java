package io.songmap.testkit;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server for tests: {@code SONGMAP_PG_URL} when set
 * ({@code postgresql://user[:password]@host[:port]/database}), otherwise the local server that
 * {@code scripts/ensure-postgres} starts ({@code postgresql://postgres@127.0.0.1:5432/postgres}).
 * Each caller gets a database of its own, so tests never see each other's rows; the databases are
 * dropped when the JVM exits.
 */
public final class TestPostgres {
  public static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
  private static final List<String> created = new ArrayList<>();
  private static boolean hookInstalled;

  private TestPostgres() {}

  /** The connection options of the server's admin database. */
  public static PgConnectOptions adminOptions() {
    String url = System.getenv().getOrDefault("SONGMAP_PG_URL", DEFAULT_URL);
    return parse(url);
  }

  /** Parses {@code postgresql://user[:password]@host[:port]/database}. */
  public static PgConnectOptions parse(String url) {
    URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
    PgConnectOptions options = new PgConnectOptions()
        .setHost(uri.getHost() == null ? "127.0.0.1" : uri.getHost())
        .setPort(uri.getPort() < 0 ? 5432 : uri.getPort())
        .setDatabase(uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1))
        .setUser("postgres");
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      options.setUser(parts[0]);
      if (parts.length > 1) {
        options.setPassword(parts[1]);
      }
    }
    return options;
  }

  /**
   * Creates a new, empty database named after {@code owner} (e.g. the test class) plus a random
   * suffix, and returns options that connect to it.
   */
  public static synchronized PgConnectOptions freshDatabase(String owner) {
    String name = ("t_" + owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_")
        + "_" + UUID.randomUUID().toString().substring(0, 8));
    if (name.length() > 60) {
      name = name.substring(0, 51) + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
    String db = name;
    runAdmin("CREATE DATABASE " + db);
    created.add(db);
    if (!hookInstalled) {
      hookInstalled = true;
      Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::dropCreated, "testkit-pg-drop"));
    }
    return new PgConnectOptions(adminOptions()).setDatabase(db);
  }

  private static void dropCreated() {
    for (String db : List.copyOf(created)) {
      try {
        runAdmin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (RuntimeException ignored) {
        // The server may already be gone at JVM exit; a stray test database is harmless.
      }
    }
  }

  private static void runAdmin(String sql) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(adminOptions()).with(new PoolOptions().setMaxSize(1)).using(vertx).build();
      pool.query(sql).execute().eventually(pool::close)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL at " + adminOptions().getHost() + ":" + adminOptions().getPort()
          + " refused '" + sql + "': " + e.getMessage()
          + " (start one with scripts/ensure-postgres or set SONGMAP_PG_URL)", e);
    } finally {
      vertx.close();
    }
  }
}
