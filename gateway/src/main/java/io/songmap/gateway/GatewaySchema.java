package io.songmap.gateway;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * The gateway's own tables beside the event store's: tenants and their API keys. The job status table belongs
 * to its projection, which creates it. Creating them again, from any number of gateways at once, changes
 * nothing.
 */
public final class GatewaySchema {
  private static final long LOCK_KEY = 0x53_6d_47_61_74_65_77_79L;

  private GatewaySchema() {
  }

  public static Future<Void> apply(Pool pool) {
    return pool.withTransaction(tx -> tx.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(v -> tx.query("CREATE TABLE IF NOT EXISTS tenant ("
            + " id text PRIMARY KEY,"
            + " created_at timestamptz NOT NULL DEFAULT now());"
            + " CREATE TABLE IF NOT EXISTS tenant_api_key ("
            + " key_hash text PRIMARY KEY,"
            + " tenant text NOT NULL REFERENCES tenant (id),"
            + " created_at timestamptz NOT NULL DEFAULT now(),"
            + " revoked_at timestamptz);"
            + " CREATE INDEX IF NOT EXISTS tenant_api_key_by_tenant ON tenant_api_key (tenant)").execute())
        .mapEmpty());
  }
}
