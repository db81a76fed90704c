package io.songmap.job.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a stage is tried and how long to wait between tries.
 *
 * <p>After attempt {@code n} fails with a retryable error, attempt {@code n+1} is requested with
 * {@code notBefore = failedAt + delay(n)}, where the exponential delay
 * {@code min(maxDelay, baseDelay · 2^(n-1))} is shortened by up to {@code jitterRatio} of itself.
 * Once {@code maxAttempts} attempts have failed the job fails.
 *
 * @param maxAttempts attempts per stage and run, including the first (at least 1)
 * @param baseDelay   delay after the first failure, before jitter
 * @param maxDelay    cap on the delay
 * @param jitterRatio share of the delay taken away at random, in {@code [0, 1]}; 0 means no jitter
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double jitterRatio) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.5);

    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than baseDelay " + baseDelay);
        }
        if (!(jitterRatio >= 0 && jitterRatio <= 1)) {
            throw new IllegalArgumentException("jitterRatio must be in [0, 1]: " + jitterRatio);
        }
    }

    /** Whether a retryable failure of {@code failedAttempt} is followed by another attempt. */
    public boolean allowsRetryAfter(int failedAttempt) {
        return failedAttempt < maxAttempts;
    }

    /**
     * The wait before the attempt after {@code failedAttempt}.
     *
     * @param jitter a value in {@code [0, 1)} from a {@link JitterSource}
     */
    public Duration delayAfter(int failedAttempt, double jitter) {
        if (failedAttempt < 1) {
            throw new IllegalArgumentException("attempts count from 1: " + failedAttempt);
        }
        long capMillis = maxDelay.toMillis();
        long exponential = baseDelay.toMillis();
        for (int i = 1; i < failedAttempt && exponential < capMillis; i++) {
            exponential *= 2;
        }
        long capped = Math.min(exponential, capMillis);
        long reduction = (long) Math.floor(capped * jitterRatio * jitter);
        return Duration.ofMillis(capped - reduction);
    }
}
