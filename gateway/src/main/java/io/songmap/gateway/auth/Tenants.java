package io.songmap.gateway.auth;

import io.songmap.gateway.GatewaySchema;
import io.songmap.gateway.PgUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Tenants and their API keys. A key is shown once, when it is made; only its SHA-256 is stored, so a leaked
 * table reveals no usable key. Keys are 256 random bits, so an unsalted hash is enough.
 */
public final class Tenants {
  /** Tenant ids are used in artifact keys and stream names: one plain path segment. */
  public static final String ID_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";
  private static final String KEY_PREFIX = "smk_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;

  public Tenants(Pool pool) {
    this.pool = pool;
  }

  /** A tenant just made, with its first API key (in clear, shown this once). */
  public record Created(String tenant, String apiKey) {}

  /** The tenant name is taken. */
  public static final class TenantExists extends RuntimeException {
    public TenantExists(String tenant) {
      super("tenant " + tenant + " already exists", null, false, false);
    }
  }

  /**
   * Creates a tenant in the database at {@code pgUrl} (creating the gateway's tables if needed) and returns its
   * first key: what {@code songmap tenants create <name>} runs.
   */
  public static Future<Created> create(Vertx vertx, String pgUrl, String name) {
    Pool pool = PgBuilder.pool().connectingTo(PgUrl.parse(pgUrl)).with(new PoolOptions().setMaxSize(1))
        .using(vertx).build();
    return GatewaySchema.apply(pool).compose(v -> new Tenants(pool).create(name)).eventually(pool::close);
  }

  /**
   * Creates tenant {@code name} and its first API key. Fails with {@link TenantExists} when the name is taken,
   * with {@link IllegalArgumentException} when it is not a valid tenant id.
   */
  public Future<Created> create(String name) {
    if (name == null || !name.matches(ID_PATTERN)) {
      return Future.failedFuture(new IllegalArgumentException(
          "a tenant name must match " + ID_PATTERN + ": " + name));
    }
    String key = newKey();
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO tenant (id) VALUES ($1)").execute(Tuple.of(name))
            .compose(v -> tx.preparedQuery("INSERT INTO tenant_api_key (key_hash, tenant) VALUES ($1, $2)")
                .execute(Tuple.of(hash(key), name))))
        .recover(err -> err instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? Future.failedFuture(new TenantExists(name)) : Future.failedFuture(err))
        .map(v -> new Created(name, key));
  }

  /** A further key for an existing tenant (rotation); fails with IllegalArgumentException for none. */
  public Future<String> issueKey(String tenant) {
    String key = newKey();
    return pool.preparedQuery("INSERT INTO tenant_api_key (key_hash, tenant) SELECT $1, id FROM tenant WHERE id = $2")
        .execute(Tuple.of(hash(key), tenant))
        .compose(rows -> rows.rowCount() == 1 ? Future.succeededFuture(key)
            : Future.failedFuture(new IllegalArgumentException("no tenant " + tenant)));
  }

  /** Stops a key from working. */
  public Future<Boolean> revoke(String apiKey) {
    return pool.preparedQuery("UPDATE tenant_api_key SET revoked_at = now() WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(hash(apiKey))).map(rows -> rows.rowCount() == 1);
  }

  /** The tenant a key belongs to, if it is a live key. */
  public Future<Optional<String>> authenticate(String apiKey) {
    if (apiKey == null || !apiKey.startsWith(KEY_PREFIX) || apiKey.length() > 128) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("SELECT tenant FROM tenant_api_key WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(hash(apiKey)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  public Future<Boolean> exists(String tenant) {
    return pool.preparedQuery("SELECT 1 FROM tenant WHERE id = $1").execute(Tuple.of(tenant))
        .map(rows -> rows.size() > 0);
  }

  private static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String hash(String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
