package io.songmap.launcher;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;

/** {@code postgresql://user[:password]@host[:port]/database} to connection options. */
final class PgUrl {
  private PgUrl() {}

  static PgConnectOptions parse(String url) {
    URI uri;
    try {
      uri = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SONGMAP_PG_URL is not a URL like postgresql://user@host:5432/db: " + redact(url));
    }
    PgConnectOptions o = new PgConnectOptions()
        .setHost(uri.getHost() == null ? "127.0.0.1" : uri.getHost())
        .setPort(uri.getPort() < 0 ? 5432 : uri.getPort())
        .setDatabase(uri.getPath() == null || uri.getPath().length() <= 1 ? "songmap" : uri.getPath().substring(1))
        .setUser("postgres");
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      o.setUser(parts[0]);
      if (parts.length > 1) {
        o.setPassword(parts[1]);
      }
    }
    return o;
  }

  /** The URL without its password, for messages. */
  static String redact(String url) {
    return url.replaceFirst("://([^:@/]+):[^@/]*@", "://$1:***@");
  }
}
