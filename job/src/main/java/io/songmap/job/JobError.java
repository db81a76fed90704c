package io.songmap.job;

import io.songmap.job.stage.Stage;

import java.util.Objects;

/** A failure of one stage, as kept in the state. */
public record JobError(Stage stage, int attempt, ErrorCode code, String message) {

    public JobError {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
