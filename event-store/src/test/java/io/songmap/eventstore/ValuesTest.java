package io.songmap.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.eventstore.upcast.Upcaster;
import io.songmap.eventstore.upcast.Upcasters;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Nested
  class ExpectedVersions {
    @Test
    void codes_understood_by_the_append_statement() {
      assertThat(ExpectedVersion.ANY.code()).isEqualTo(-1);
      assertThat(ExpectedVersion.NO_STREAM.code()).isZero();
      assertThat(ExpectedVersion.exactly(7).code()).isEqualTo(7);
      assertThat(ExpectedVersion.exactly(0)).isEqualTo(ExpectedVersion.NO_STREAM);
    }

    @Test
    void an_exact_version_below_one_is_refused() {
      assertThatThrownBy(() -> new ExpectedVersion.Exact(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Positions {
    @Test
    void order_by_transaction_first_then_global_position() {
      assertThat(new Position(5, 100)).isLessThan(new Position(6, 1));
      assertThat(new Position(5, 1)).isLessThan(new Position(5, 2));
      assertThat(Position.START).isLessThan(new Position(1, 1));
    }
  }

  @Nested
  class Upcasting {
    private RecordedEvent stored(String type, int version, JsonObject data) {
      return new RecordedEvent(new Position(1, 1), "t", "s", 1, UUID.randomUUID(), type, version, data.encode(), "{}",
          Instant.EPOCH);
    }

    @Test
    void chains_steps_from_the_stored_version_to_the_newest() {
      Upcasters upcasters = Upcasters.of(
          Upcaster.of("A", 1, (d, m) -> new JsonObject().put("b", d.getInteger("a"))),
          Upcaster.of("A", 2, (d, m) -> d.copy().put("c", true)));
      RecordedEvent up = upcasters.apply(stored("A", 1, new JsonObject().put("a", 3)));
      assertThat(up.schemaVersion()).isEqualTo(3);
      assertThat(up.dataJson()).isEqualTo(new JsonObject().put("b", 3).put("c", true));
      assertThat(upcasters.apply(stored("A", 2, new JsonObject())).dataJson())
          .isEqualTo(new JsonObject().put("c", true));
    }

    @Test
    void leaves_other_types_and_current_versions_untouched() {
      Upcasters upcasters = Upcasters.of(Upcaster.of("A", 1, (d, m) -> new JsonObject()));
      RecordedEvent other = stored("B", 1, new JsonObject().put("x", 1));
      RecordedEvent current = stored("A", 2, new JsonObject().put("x", 1));
      assertThat(upcasters.apply(other)).isSameAs(other);
      assertThat(upcasters.apply(current)).isSameAs(current);
    }

    @Test
    void two_upcasters_for_the_same_step_are_refused() {
      assertThatThrownBy(() -> Upcasters.of(Upcaster.of("A", 1, (d, m) -> d), Upcaster.of("A", 1, (d, m) -> d)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Options {
    @Test
    void a_heartbeat_must_leave_room_within_the_lease() {
      assertThatThrownBy(() -> SubscriptionOptions.named("x").withLease(Duration.ofSeconds(2), Duration.ofSeconds(2)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> SubscriptionOptions.named("x").withPolling(Duration.ofSeconds(2), Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void new_events_need_a_schema_version_and_default_to_empty_meta() {
      assertThat(new NewEvent(UUID.randomUUID(), "A", 1, "{}", null).meta()).isEqualTo("{}");
      assertThatThrownBy(() -> new NewEvent(UUID.randomUUID(), "A", 0, "{}", null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
