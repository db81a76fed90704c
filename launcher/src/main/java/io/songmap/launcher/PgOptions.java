package io.songmap.launcher;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import picocli.CommandLine.Option;

/** The PostgreSQL server of the operator commands, as the launcher resolves it everywhere else. */
final class PgOptions {
  @Option(names = "--pg-url", paramLabel = "URL", defaultValue = "${env:SONGMAP_PG_URL}",
      description = "PostgreSQL, postgresql://user:password@host:port/db (env SONGMAP_PG_URL;"
          + " default: the local server on 127.0.0.1:5432, database songmap)")
  String url;

  Settings settings() {
    Settings env = Settings.fromEnv(System.getenv());
    return new Settings(url == null ? "" : url.trim(), env.kafkaBootstrap(), env.tritonUrl(), env.artifactsDir(),
        env.tenant());
  }

  /**
   * A pool whose sessions leave out the server's notices: the schemas are created with {@code IF NOT EXISTS}, and
   * each "already exists, skipping" would otherwise be logged as a warning on an operator's console.
   */
  static Pool quietPool(Vertx vertx, PgConnectOptions database, int size) {
    PgConnectOptions quiet = new PgConnectOptions(database).addProperty("client_min_messages", "warning");
    return PgBuilder.pool().connectingTo(quiet).with(new PoolOptions().setMaxSize(size)).using(vertx).build();
  }
}
