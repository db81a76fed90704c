package io.songmap.eventstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** recorded_at travels as PostgreSQL's date_part('epoch', ...): microseconds / 10^6, correctly rounded. */
class EpochSecondsTest {
  private static final long MICROS_2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli() * 1_000L;

  @Test
  void every_microsecond_before_2100_comes_back_exactly() {
    Random random = new Random(20261204);
    for (int i = 0; i < 1_000_000; i++) {
      long micros = Math.floorMod(random.nextLong(), MICROS_2100);
      assertThat(PgEventStore.instant(micros / 1e6)).isEqualTo(Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
    }
  }

  @Test
  void the_edges_of_a_second_and_times_before_1970_too() {
    long[] micros = {0, 1, 999_999, 1_000_000, 1_796_363_905_999_999L, 1_796_363_906_000_000L, -1, -1_000_001};
    for (long m : micros) {
      assertThat(PgEventStore.instant(m / 1e6)).isEqualTo(Instant.EPOCH.plus(m, ChronoUnit.MICROS));
    }
  }
}
