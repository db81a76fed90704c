package io.songmap.eventstore;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.eventstore.postgres.Migrations;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.eventstore.upcast.Upcasters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The conformance suite against PostgreSQL, plus what is specific to it. */
class PgEventStoreIT extends EventStoreConformance {
  static TestDb db;
  static TestDb.Proc proc;

  @BeforeAll
  static void database() {
    db = new TestDb("PgEventStoreIT");
    proc = db.process();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Override
  protected EventStore store(Upcasters upcasters) {
    return new PgEventStore(proc.pool, PgEventStoreOptions.DEFAULT.withUpcasters(upcasters));
  }

  @Test
  void migrations_are_idempotent_and_recorded() {
    assertThat(await(Migrations.apply(proc.pool))).isEqualTo(2);
    assertThat(await(Migrations.apply(proc.pool))).isEqualTo(2);
    assertThat(db.rows("SELECT version FROM es_schema_version ORDER BY version"))
        .extracting(r -> r.getInteger(0)).containsExactly(1, 2);
  }
}
