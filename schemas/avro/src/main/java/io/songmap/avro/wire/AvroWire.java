package io.songmap.avro.wire;

import io.songmap.avro.JobEvent;
import io.songmap.avro.StageTask;
import io.songmap.avro.SubmitJob;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes and decodes Kafka message values with Avro single-object encoding: a two-byte marker
 * ({@code C3 01}), the writer schema's 8-byte CRC-64-AVRO fingerprint (little-endian), then the
 * binary datum. Decoding looks the fingerprint up in {@link BundledSchemas} and resolves the
 * writer's schema to this reader's, so a reader with an older schema reads a newer record and the
 * other way round, as far as the schemas are compatible.
 *
 * <p>Instances are immutable and thread-safe; share them.
 * <pre>{@code
 * byte[] value = AvroWire.stageTask().encode(task);
 * StageTask task = AvroWire.stageTask().decode(value);   // AvroWireException → DLQ
 * }</pre>
 */
public final class AvroWire<T> {

    private static final AvroWire<SubmitJob> SUBMIT_JOB = specific(SubmitJob.class);
    private static final AvroWire<StageTask> STAGE_TASK = specific(StageTask.class);
    private static final AvroWire<JobEvent> JOB_EVENT = specific(JobEvent.class);

    private static final byte[] MAGIC = {(byte) 0xC3, (byte) 0x01};
    private static final int HEADER_LENGTH = MAGIC.length + Long.BYTES;

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroWire(GenericData model, Schema schema) {
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, BundledSchemas.store());
    }

    /** Partners' submissions on {@link io.songmap.avro.Topics#SUBMISSIONS}. */
    public static AvroWire<SubmitJob> submitJob() {
        return SUBMIT_JOB;
    }

    /** Stage tasks on {@link io.songmap.avro.Topics#stage(String)}. */
    public static AvroWire<StageTask> stageTask() {
        return STAGE_TASK;
    }

    /** Job events on {@link io.songmap.avro.Topics#JOB_EVENTS}. */
    public static AvroWire<JobEvent> jobEvent() {
        return JOB_EVENT;
    }

    /** A codec for a generated class, reading into it. */
    public static <R extends SpecificRecord> AvroWire<R> specific(Class<R> type) {
        SpecificData model = SpecificData.getForClass(type);
        return new AvroWire<>(model, model.getSchema(type));
    }

    /**
     * A codec that reads into generic records of {@code readerSchema}: for readers that hold a
     * schema version other than the generated one.
     */
    public static AvroWire<GenericRecord> generic(Schema readerSchema) {
        return new AvroWire<>(GenericData.get(), readerSchema);
    }

    /** The schema this codec writes, and reads into. */
    public Schema schema() {
        return schema;
    }

    /** The record as a single-object encoded message. */
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encoder.encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema.getFullName(), e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a single-object encoded message written with any bundled version of this schema.
     *
     * @throws AvroWireException when the message cannot be read; its {@link AvroWireException#reason()}
     *                           says why
     */
    public T decode(byte[] message) {
        if (message == null || message.length < HEADER_LENGTH
                || message[0] != MAGIC[0] || message[1] != MAGIC[1]) {
            throw new AvroWireException(AvroWireException.Reason.NOT_SINGLE_OBJECT, null,
                    "not an Avro single-object message (" + (message == null ? "null" : message.length + " bytes")
                            + ", expected header C3 01 and an 8-byte fingerprint)", null);
        }
        long fingerprint = fingerprintOf(message);
        try {
            return decoder.decode(message);
        } catch (MissingSchemaException e) {
            throw new AvroWireException(AvroWireException.Reason.UNKNOWN_SCHEMA, fingerprint,
                    "no bundled schema has fingerprint " + Long.toHexString(fingerprint) + " (reading as "
                            + schema.getFullName() + ")", e);
        } catch (BadHeaderException e) {
            throw new AvroWireException(AvroWireException.Reason.NOT_SINGLE_OBJECT, null, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Garbage after a valid header surfaces as EOF, negative lengths, bad union indexes...
            throw new AvroWireException(AvroWireException.Reason.MALFORMED, fingerprint,
                    "cannot decode " + schema.getFullName() + " body written with schema "
                            + Long.toHexString(fingerprint) + ": " + e, e);
        }
    }

    /** The writer schema fingerprint in a single-object message's header. */
    public static long fingerprintOf(byte[] message) {
        if (message.length < HEADER_LENGTH) {
            throw new IllegalArgumentException("message shorter than the single-object header");
        }
        return ByteBuffer.wrap(message, MAGIC.length, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
