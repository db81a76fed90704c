package io.songmap.job;

/**
 * Why a stage failed. The code, not the message, decides whether the stage is tried again: a
 * problem with the song itself never goes away by retrying, one with the machinery may.
 */
public enum ErrorCode {
    /** The audio cannot be decoded. */
    AUDIO_CORRUPT(false),
    /** The audio is longer than the service accepts. */
    AUDIO_TOO_LONG(false),
    /** The audio is in a format the service does not read. */
    AUDIO_UNSUPPORTED(false),
    /** The source URL or object does not exist (HTTP 404, missing key). */
    SOURCE_NOT_FOUND(false),
    /** An input the stage needs from an earlier stage is missing or malformed. */
    INPUT_INVALID(false),
    /** The inference server or a model is not ready. */
    MODEL_UNAVAILABLE(true),
    /** The inference call failed or returned an error. */
    INFERENCE_FAILED(true),
    /** The stage ran longer than its time limit. */
    TIMEOUT(true),
    /** The artifact store could not be read or written. */
    STORAGE_UNAVAILABLE(true),
    /** Anything nobody expected. */
    INTERNAL(true);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
