package io.songmap.job.retry;

import io.songmap.job.stage.Stage;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    final RetryPolicy policy = RetryPolicy.DEFAULT;

    @Test
    void defaults_are_three_attempts_two_seconds_doubling_up_to_a_minute() {
        assertThat(policy.maxAttempts()).isEqualTo(3);
        assertThat(policy.allowsRetryAfter(2)).isTrue();
        assertThat(policy.allowsRetryAfter(3)).isFalse();
        assertThat(policy.delayAfter(1, 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(2, 0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(10, 0)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delayAfter(1000, 0)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void invalid_policies_are_refused() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(2), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofSeconds(2), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(seed = "20261123", tries = 300)
    void jittered_delays_stay_between_half_and_all_of_the_capped_exponential(
            @ForAll @IntRange(min = 1, max = 40) int attempt, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double jitter) {
        long full = Math.min(60_000, 2_000L << Math.min(attempt - 1, 20));

        long delay = policy.delayAfter(attempt, jitter).toMillis();

        assertThat(delay).isBetween(full / 2, full);
    }

    @Test
    void seeded_jitter_is_reproducible_and_in_range() {
        JitterSource source = JitterSource.seeded(7);
        double first = source.next("job-1", Stage.DRUMS, 1, 2);

        assertThat(source.next("job-1", Stage.DRUMS, 1, 2)).isEqualTo(first);
        assertThat(JitterSource.seeded(7).next("job-1", Stage.DRUMS, 1, 2)).isEqualTo(first);
        assertThat(first).isBetween(0.0, 1.0);
        assertThat(source.next("job-2", Stage.DRUMS, 1, 2)).isNotEqualTo(first);
    }
}
