package io.songmap.launcher;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the PostgreSQL server to use: {@code SONGMAP_PG_URL} when set, otherwise a server on
 * 127.0.0.1:5432. Creates the database when the server has none of that name.
 */
final class Postgres {
  static final String LOCAL = "postgresql://postgres@127.0.0.1:5432/songmap";

  private Postgres() {}

  static PgConnectOptions resolve(Vertx vertx, Settings settings) {
    return resolve(vertx, settings, false).options();
  }

  /** The server to use, and what to close when done (an embedded server this process started). */
  record Resolved(PgConnectOptions options, String url, AutoCloseable owned) {}

  /**
   * Like {@link #resolve(Vertx, Settings)}; with {@code mayEmbed}, when nothing is configured and no
   * local server answers, starts an embedded PostgreSQL ({@code ~/.songmap/postgres}) unless the
   * process runs as root, which PostgreSQL refuses.
   */
  static Resolved resolve(Vertx vertx, Settings settings, boolean mayEmbed) {
    boolean configured = !settings.pgUrl().isEmpty();
    String url = configured ? settings.pgUrl() : LOCAL;
    PgConnectOptions target = io.songmap.gateway.PgUrl.parse(url);
    try {
      ensureDatabase(vertx, new PgConnectOptions(target).setDatabase("postgres"), target.getDatabase());
      return new Resolved(target, url, null);
    } catch (Exception e) {
      if (!configured && mayEmbed && !"root".equals(System.getProperty("user.name"))) {
        return embedded(vertx, e);
      }
      String where = configured ? "SONGMAP_PG_URL (" + redact(settings.pgUrl()) + ")" : "127.0.0.1:5432";
      throw new IllegalStateException("""
          no PostgreSQL server reachable at %s: %s
            Songmap keeps its job events in PostgreSQL. Either
              - run scripts/ensure-postgres (installs Debian's postgresql if missing and starts it), or
              - set SONGMAP_PG_URL=postgresql://user:password@host:5432/songmap to use another server%s."""
          .formatted(where, rootCause(e), configured ? ""
              : ",\n              - or run as a user other than root: then an embedded PostgreSQL is started"), e);
    }
  }

  private static Resolved embedded(Vertx vertx, Exception localFailure) {
    Path dir = Path.of(System.getProperty("user.home"), ".songmap", "postgres");
    try {
      Files.createDirectories(dir.getParent());
      System.err.println("no PostgreSQL on 127.0.0.1:5432 (" + rootCause(localFailure)
          + "); starting an embedded one with its data in " + dir);
      EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
      String url = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/songmap";
      PgConnectOptions target = io.songmap.gateway.PgUrl.parse(url);
      ensureDatabase(vertx, new PgConnectOptions(target).setDatabase("postgres"), target.getDatabase());
      return new Resolved(target, url, pg);
    } catch (Exception e) {
      throw new IllegalStateException("no PostgreSQL on 127.0.0.1:5432 and the embedded one did not start: "
          + rootCause(e) + " (set SONGMAP_PG_URL, or run scripts/ensure-postgres)", e);
    }
  }

  private static void ensureDatabase(Vertx vertx, PgConnectOptions admin, String database) throws Exception {
    Pool pool = PgBuilder.pool().connectingTo(admin).with(new PoolOptions().setMaxSize(1)).using(vertx).build();
    try {
      var rows = pool.preparedQuery("select 1 from pg_database where datname = $1").execute(Tuple.of(database))
          .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      if (rows.size() == 0) {
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new IllegalArgumentException("database name must be a plain identifier: " + database);
        }
        pool.query("create database " + database).execute()
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.close();
    }
  }

  /** The URL without its password, for messages. */
  static String redact(String url) {
    return url.replaceFirst("://([^:@/]+):[^@/]*@", "://$1:***@");
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
