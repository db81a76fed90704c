package io.songmap.audio.decode;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an input may be. The maximum bounds memory as well as time: decoded audio is held whole
 * (15 min of 44.1 kHz stereo float is about 320 MB).
 */
public record DecodeLimits(Duration minDuration, Duration maxDuration) {
    public static final DecodeLimits DEFAULT = new DecodeLimits(Duration.ofSeconds(1), Duration.ofMinutes(15));

    public DecodeLimits {
        Objects.requireNonNull(minDuration, "minDuration");
        Objects.requireNonNull(maxDuration, "maxDuration");
        if (minDuration.isNegative()) {
            throw new IllegalArgumentException("minDuration must not be negative: " + minDuration);
        }
        if (maxDuration.compareTo(minDuration) <= 0) {
            throw new IllegalArgumentException("maxDuration " + maxDuration + " must exceed minDuration " + minDuration);
        }
        if (maxDuration.compareTo(Duration.ofHours(3)) > 0) {
            throw new IllegalArgumentException("maxDuration above 3 h would not fit in memory: " + maxDuration);
        }
    }

    public static DecodeLimits withMaxDuration(Duration maxDuration) {
        return new DecodeLimits(DEFAULT.minDuration, maxDuration);
    }

    double minSeconds() {
        return minDuration.toNanos() / 1e9;
    }

    double maxSeconds() {
        return maxDuration.toNanos() / 1e9;
    }
}
