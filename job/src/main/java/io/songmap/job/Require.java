package io.songmap.job;

import io.songmap.job.stage.Stage;

import java.util.Objects;

/** Argument checks shared by the commands and events' compact constructors. */
final class Require {

    private Require() {
    }

    static String text(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    static void attempt(Stage stage, int run, int attempt) {
        Objects.requireNonNull(stage, "stage");
        if (run < 1) {
            throw new IllegalArgumentException("run counts from 1: " + run);
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1: " + attempt);
        }
    }

    static double fraction(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1]: " + fraction);
        }
        return fraction;
    }
}
