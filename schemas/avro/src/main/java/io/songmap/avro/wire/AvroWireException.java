package io.songmap.avro.wire;

import java.util.OptionalLong;

/**
 * A message that cannot be read. Consumers send such a record to the topic's dead-letter topic
 * with {@link #reason()} and the message in its headers, and move on.
 */
public final class AvroWireException extends RuntimeException {

    public enum Reason {
        /** The bytes do not start with the Avro single-object header ({@code C3 01}). */
        NOT_SINGLE_OBJECT,
        /** The writer's schema fingerprint is not among the bundled schemas. */
        UNKNOWN_SCHEMA,
        /** The header is fine but the body does not decode with the writer's schema. */
        MALFORMED
    }

    private final Reason reason;
    private final Long fingerprint;

    AvroWireException(Reason reason, Long fingerprint, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.fingerprint = fingerprint;
    }

    public Reason reason() {
        return reason;
    }

    /** The writer schema's CRC-64-AVRO fingerprint, when the header could be read. */
    public OptionalLong fingerprint() {
        return fingerprint == null ? OptionalLong.empty() : OptionalLong.of(fingerprint);
    }
}
