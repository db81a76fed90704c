package io.songmap.job.retry;

import io.songmap.job.stage.Stage;

import java.util.SplittableRandom;

/**
 * Where retry jitter comes from. Returns a value in {@code [0, 1)} for one retry of one attempt.
 * Deterministic by contract: the same arguments give the same value, so deciding is a pure function.
 */
@FunctionalInterface
public interface JitterSource {

    double next(String jobId, Stage stage, int run, int attempt);

    /**
     * Jitter derived from the attempt's identity and a seed: spreads the retries of different jobs
     * (so they do not all come back at once) while staying reproducible.
     */
    static JitterSource seeded(long seed) {
        return (jobId, stage, run, attempt) -> {
            long mixed = seed;
            mixed = 31 * mixed + jobId.hashCode();
            mixed = 31 * mixed + stage.ordinal();
            mixed = 31 * mixed + run;
            mixed = 31 * mixed + attempt;
            return new SplittableRandom(mixed).nextDouble();
        };
    }

    /** Always the same value; for tests that want exact delays. */
    static JitterSource fixed(double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + value);
        }
        return (jobId, stage, run, attempt) -> value;
    }
}
