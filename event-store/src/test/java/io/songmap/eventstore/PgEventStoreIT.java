package io.songmap.eventstore;

import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.eventstore.postgres.Migrations;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.eventstore.upcast.Upcasters;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
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
    assertThat(await(Migrations.apply(proc.pool))).isEqualTo(5);
    assertThat(await(Migrations.apply(proc.pool))).isEqualTo(5);
    assertThat(db.rows("SELECT version FROM es_schema_version ORDER BY version"))
        .extracting(r -> r.getInteger(0)).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void recorded_at_is_read_to_the_microsecond() {
    String stream = "clock-" + UUID.randomUUID();
    await(store(Upcasters.NONE).append("t", stream, ExpectedVersion.NO_STREAM, Events.events("A", 3)));
    List<java.time.Instant> stored = db.rows("SELECT recorded_at FROM es_event WHERE stream_id = '" + stream
        + "' ORDER BY version").stream().map(r -> r.getOffsetDateTime(0).toInstant()).toList();
    assertThat(await(store(Upcasters.NONE).readStream("t", stream, 1)).events())
        .extracting(RecordedEvent::recordedAt).isEqualTo(stored);
  }

  /** Appends that queue behind one running statement go together; each still gets its own outcome. */
  @Nested
  class GroupedAppends {
    final EventStore grouped = new PgEventStore(proc.pool, PgEventStoreOptions.DEFAULT.withAppendBatching(1, 64));
    final String tenant = "g-" + UUID.randomUUID();

    @Test
    void each_append_of_a_group_gets_its_own_outcome() {
      await(grouped.append(tenant, "existing", ExpectedVersion.NO_STREAM, Events.events("A", 2)));
      NewEvent taken = Events.event("A", 9);
      await(grouped.append(tenant, "other", ExpectedVersion.NO_STREAM, List.of(taken)));

      List<Future<AppendResult>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        results.add(grouped.append(tenant, "s" + i, ExpectedVersion.NO_STREAM, Events.events("B", 1 + i % 3)));
      }
      Future<AppendResult> stale = grouped.append(tenant, "existing", ExpectedVersion.exactly(1), Events.events("C", 1));
      Future<AppendResult> next = grouped.append(tenant, "existing", ExpectedVersion.exactly(2), Events.events("C", 1));
      Future<AppendResult> after = grouped.append(tenant, "existing", ExpectedVersion.exactly(3), Events.events("C", 2));
      Future<AppendResult> duplicate = grouped.append(tenant, "dup", ExpectedVersion.NO_STREAM, List.of(taken));
      await(Future.join(List.of(Future.join(results), stale, next, after, duplicate)).otherwiseEmpty());

      for (int i = 0; i < 20; i++) {
        assertThat(results.get(i).result()).isEqualTo(new AppendResult(1 + i % 3, true));
      }
      assertThat(stale.cause()).isInstanceOfSatisfying(WrongExpectedVersion.class,
          e -> assertThat(e.actualVersion()).isEqualTo(2));
      assertThat(next.result()).isEqualTo(new AppendResult(3, true));
      assertThat(after.result()).isEqualTo(new AppendResult(5, true));
      assertThat(duplicate.cause()).isInstanceOf(DuplicateEvent.class);
      assertThat(await(grouped.readStream(tenant, "existing", 1)).events()).extracting(RecordedEvent::type)
          .containsExactly("A", "A", "C", "C", "C");
      assertThat(await(grouped.readStream(tenant, "dup", 1)).streamVersion()).isZero();
    }
  }
}
