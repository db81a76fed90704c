package io.songmap.gateway;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;

/** PostgreSQL connection options from {@code postgresql://user[:password]@host[:port]/database}. */
public final class PgUrl {
  private PgUrl() {
  }

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
}
