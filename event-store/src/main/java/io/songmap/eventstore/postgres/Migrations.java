package io.songmap.eventstore.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema as numbered SQL files ({@code migrations/V<n>__<name>.sql} next to this class), applied in
 * order inside one transaction under an advisory lock, and recorded in {@code es_schema_version}. Applying them
 * again, from any number of processes at once, changes nothing.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  private static final long LOCK_KEY = 0x50_6e_67_4d_61_70_45_53L; // any constant shared by all store processes

  /** Every migration, oldest first; a new one is added at the end and never edits an old one. */
  static final List<Migration> ALL = List.of(
      load(1, "tables"),
      load(2, "append_function"),
      load(3, "append_many_function"),
      load(4, "leaner_appends"),
      load(5, "notify_in_append"));

  record Migration(int version, String name, String sql) {
  }

  private Migrations() {
  }

  /** Applies the migrations this database lacks; returns the schema version afterwards. */
  public static Future<Integer> apply(Pool pool) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(v -> conn.query("SELECT to_regclass('es_schema_version') IS NOT NULL").execute())
        .compose(exists -> exists.iterator().next().getBoolean(0) ? Future.succeededFuture()
            : conn.query("CREATE TABLE es_schema_version (version integer PRIMARY KEY, "
                + "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute().mapEmpty())
        .compose(v -> conn.query("SELECT coalesce(max(version), 0) FROM es_schema_version").execute())
        .compose(rows -> applyFrom(conn, rows.iterator().next().getInteger(0), 0)));
  }

  private static Future<Integer> applyFrom(SqlConnection conn, int current, int index) {
    if (index == ALL.size()) {
      return Future.succeededFuture(current);
    }
    Migration m = ALL.get(index);
    if (m.version() <= current) {
      return applyFrom(conn, current, index + 1);
    }
    log.info("applying event store migration V{}__{}", m.version(), m.name());
    return conn.query(m.sql()).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO es_schema_version (version, name) VALUES ($1, $2)")
            .execute(io.vertx.sqlclient.Tuple.of(m.version(), m.name())))
        .compose(v -> applyFrom(conn, m.version(), index + 1));
  }

  // Read once when the class loads (from the jar, a few kilobytes), never on an event loop afterwards.
  private static Migration load(int version, String name) {
    String file = "migrations/V" + version + "__" + name + ".sql";
    try (InputStream in = Migrations.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + file);
      }
      return new Migration(version, name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
