package io.songmap.audio.decode;

import java.util.Objects;

/** A named, non-retryable reason why a file could not be decoded into audio. */
public final class AudioDecodeException extends Exception {
    private final AudioErrorCode code;

    public AudioDecodeException(AudioErrorCode code, String message) {
        this(code, message, null);
    }

    public AudioDecodeException(AudioErrorCode code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public AudioErrorCode code() {
        return code;
    }

    /** Always false; see {@link AudioErrorCode#retryable()}. */
    public boolean retryable() {
        return code.retryable();
    }
}
