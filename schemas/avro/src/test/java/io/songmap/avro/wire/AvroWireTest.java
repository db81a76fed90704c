package io.songmap.avro.wire;

import io.songmap.avro.AudioUrl;
import io.songmap.avro.JobEvent;
import io.songmap.avro.StageTask;
import io.songmap.avro.SubmitJob;
import io.songmap.avro.event.StageRequested;
import io.songmap.avro.event.StageStarted;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroWireTest {

    @Nested
    class RoundTrips {

        @Test
        void submissions_round_trip() {
            for (SubmitJob submission : List.of(Samples.submitJob(), Samples.uploadedSubmitJob())) {
                assertThat(AvroWire.submitJob().decode(AvroWire.submitJob().encode(submission))).isEqualTo(submission);
            }
        }

        @Test
        void stage_tasks_round_trip() {
            StageTask task = Samples.stageTask();

            assertThat(AvroWire.stageTask().decode(AvroWire.stageTask().encode(task))).isEqualTo(task);
        }

        @Test
        void job_events_round_trip_with_every_payload() {
            for (Object payload : Samples.payloads()) {
                JobEvent event = Samples.jobEvent(payload);

                JobEvent decoded = AvroWire.jobEvent().decode(AvroWire.jobEvent().encode(event));

                assertThat(decoded).isEqualTo(event);
                assertThat(decoded.getPayload()).isInstanceOf(payload.getClass());
            }
        }

        @Test
        void every_event_type_has_a_payload_record_named_after_it() {
            Schema payload = JobEvent.getClassSchema().getField("payload").schema();

            assertThat(payload.getTypes()).extracting(Schema::getName).containsExactly(
                    "JobSubmitted", "StageRequested", "StageStarted", "StageProgressed", "StageCompleted",
                    "StageFailed", "StageSkipped", "JobCompleted", "JobFailed", "JobCancelled",
                    "ReprocessRequested");
            assertThat(Samples.payloads()).hasSize(payload.getTypes().size());
        }

        @Test
        void messages_carry_the_single_object_header_with_the_writer_fingerprint() {
            byte[] message = AvroWire.stageTask().encode(Samples.stageTask());

            assertThat(message[0]).isEqualTo((byte) 0xC3);
            assertThat(message[1]).isEqualTo((byte) 0x01);
            assertThat(AvroWire.fingerprintOf(message))
                    .isEqualTo(BundledSchemas.fingerprint(StageTask.getClassSchema()));
        }
    }

    @Nested
    class AcrossVersions {

        @Test
        void an_old_reader_reads_a_new_submission() {
            AvroWire<GenericRecord> v1Reader = AvroWire.generic(BundledSchemas.version("SubmitJob", 1));

            GenericRecord old = v1Reader.decode(AvroWire.submitJob().encode(Samples.submitJob()));

            assertThat(old.getSchema().getField("modelVersions")).isNull();
            assertThat(old.get("partnerSubmissionId").toString()).isEqualTo("sub-42");
            assertThat(((GenericRecord) old.get("audio")).get("url").toString())
                    .isEqualTo("https://example.org/song.mp3");
            assertThat(old.get("submittedAt")).isEqualTo(Samples.TIME.toEpochMilli());
        }

        @Test
        void a_new_reader_reads_an_old_submission_with_defaults_for_new_fields() {
            Schema v1 = BundledSchemas.version("SubmitJob", 1);
            Schema audioUrl = v1.getField("audio").schema().getTypes().get(0);
            GenericRecord old = new GenericRecordBuilder(v1)
                    .set("tenant", "acme")
                    .set("partnerSubmissionId", "sub-1")
                    .set("audio", new GenericRecordBuilder(audioUrl).set("url", "https://example.org/a.wav").build())
                    .set("submittedAt", Samples.TIME.toEpochMilli())
                    .build();

            SubmitJob current = AvroWire.submitJob().decode(AvroWire.generic(v1).encode(old));

            assertThat(current.getTenant()).isEqualTo("acme");
            assertThat(current.getAudio()).isEqualTo(new AudioUrl("https://example.org/a.wav"));
            assertThat(current.getRequestedOutputs()).isEmpty();
            assertThat(current.getPriority()).isZero();
            assertThat(current.getMetadata()).isNull();
            assertThat(current.getModelVersions()).isEmpty();
            assertThat(current.getSubmittedAt()).isEqualTo(Samples.TIME);
        }

        @Test
        void an_old_reader_reads_a_new_stage_task() {
            GenericRecord old = AvroWire.generic(BundledSchemas.version("StageTask", 1))
                    .decode(AvroWire.stageTask().encode(Samples.stageTask()));

            assertThat(old.getSchema().getField("priority")).isNull();
            assertThat(old.get("attempt")).isEqualTo(2);
            assertThat(old.get("stage").toString()).isEqualTo("drums");
        }

        @Test
        void a_new_reader_reads_an_old_stage_task() {
            Schema v1 = BundledSchemas.version("StageTask", 1);
            GenericRecord old = new GenericRecordBuilder(v1)
                    .set("eventId", "e-1").set("jobId", "job-1").set("tenant", "acme").set("stage", "lyrics")
                    .set("run", 1).set("attempt", 1).set("notBefore", Samples.TIME.toEpochMilli())
                    .set("inputs", Map.of("separate.vocals", "k")).set("modelVersions", Map.of())
                    .set("correlationId", "c")
                    .build();

            StageTask current = AvroWire.stageTask().decode(AvroWire.generic(v1).encode(old));

            assertThat(current.getPriority()).isZero();
            assertThat(current.getInputs()).containsEntry("separate.vocals", "k");
            assertThat(current.getNotBefore()).isEqualTo(Samples.TIME);
        }

        @Test
        void an_old_reader_reads_a_new_job_event() {
            GenericRecord old = AvroWire.generic(BundledSchemas.version("JobEvent", 1))
                    .decode(AvroWire.jobEvent().encode(Samples.jobEvent(new StageStarted("drums", 1, 3))));

            assertThat(old.getSchema().getField("causationId")).isNull();
            assertThat(old.get("type").toString()).isEqualTo("StageStarted");
            assertThat(((GenericRecord) old.get("payload")).get("attempt")).isEqualTo(3);
        }

        @Test
        void a_new_reader_reads_an_old_job_event() {
            Schema v1 = BundledSchemas.version("JobEvent", 1);
            Schema started = v1.getField("payload").schema().getTypes().stream()
                    .filter(branch -> branch.getName().equals("StageStarted")).findFirst().orElseThrow();
            GenericRecord old = new GenericRecordBuilder(v1)
                    .set("eventId", "e-9").set("jobId", "job-1").set("tenant", "acme").set("version", 3L)
                    .set("globalPosition", 77L).set("type", "StageStarted").set("schemaVersion", 1)
                    .set("time", Samples.TIME.toEpochMilli())
                    .set("payload", new GenericRecordBuilder(started)
                            .set("stage", "drums").set("run", 1).set("attempt", 1).build())
                    .build();

            JobEvent current = AvroWire.jobEvent().decode(AvroWire.generic(v1).encode(old));

            assertThat(current.getCausationId()).isNull();
            assertThat(current.getCorrelationId()).isNull();
            assertThat(current.getPayload()).isEqualTo(new StageStarted("drums", 1, 1));
            assertThat(current.getTime()).isEqualTo(Samples.TIME);
        }

        @Test
        void a_stage_requested_written_before_it_carried_the_priority_reads_as_priority_zero() {
            Schema v2 = BundledSchemas.version("JobEvent", 2);
            Schema requested = v2.getField("payload").schema().getTypes().stream()
                    .filter(branch -> branch.getName().equals("StageRequested")).findFirst().orElseThrow();
            GenericRecord old = new GenericRecordBuilder(v2)
                    .set("eventId", "e-10").set("jobId", "job-1").set("tenant", "acme").set("version", 2L)
                    .set("globalPosition", 78L).set("type", "StageRequested").set("schemaVersion", 1)
                    .set("time", Samples.TIME.toEpochMilli())
                    .set("payload", new GenericRecordBuilder(requested)
                            .set("stage", "drums").set("run", 1).set("attempt", 1)
                            .set("notBefore", Samples.TIME.toEpochMilli())
                            .set("inputs", Map.of("separate.drums", "k")).set("modelVersions", Map.of()).build())
                    .build();

            JobEvent current = AvroWire.jobEvent().decode(AvroWire.generic(v2).encode(old));

            assertThat(current.getPayload()).isEqualTo(
                    new StageRequested("drums", 1, 1, Samples.TIME, Map.of("separate.drums", "k"), Map.of(), 0));
        }
    }

    @Nested
    class UnreadableMessages {

        @Test
        void garbage_is_not_a_single_object_message() {
            byte[] garbage = "{\"not\":\"avro\"}".getBytes();

            assertThatThrownBy(() -> AvroWire.stageTask().decode(garbage))
                    .isInstanceOfSatisfying(AvroWireException.class, e -> {
                        assertThat(e.reason()).isEqualTo(AvroWireException.Reason.NOT_SINGLE_OBJECT);
                        assertThat(e.fingerprint()).isEmpty();
                    });
        }

        @Test
        void empty_and_short_messages_are_not_single_object_messages() {
            for (byte[] message : List.of(new byte[0], new byte[]{(byte) 0xC3, 0x01, 1, 2})) {
                assertThatThrownBy(() -> AvroWire.stageTask().decode(message))
                        .isInstanceOfSatisfying(AvroWireException.class,
                                e -> assertThat(e.reason()).isEqualTo(AvroWireException.Reason.NOT_SINGLE_OBJECT));
            }
        }

        @Test
        void a_schema_that_is_not_bundled_is_unknown() {
            Schema stranger = new Schema.Parser().parse(
                    "{\"type\":\"record\",\"name\":\"Stranger\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
            byte[] message = AvroWire.generic(stranger)
                    .encode(new GenericRecordBuilder(stranger).set("x", 1).build());

            assertThatThrownBy(() -> AvroWire.stageTask().decode(message))
                    .isInstanceOfSatisfying(AvroWireException.class, e -> {
                        assertThat(e.reason()).isEqualTo(AvroWireException.Reason.UNKNOWN_SCHEMA);
                        assertThat(e.fingerprint()).hasValue(BundledSchemas.fingerprint(stranger));
                    });
        }

        @Test
        void a_truncated_body_is_malformed() {
            byte[] message = AvroWire.stageTask().encode(Samples.stageTask());
            byte[] truncated = Arrays.copyOf(message, message.length / 2);

            assertThatThrownBy(() -> AvroWire.stageTask().decode(truncated))
                    .isInstanceOfSatisfying(AvroWireException.class,
                            e -> assertThat(e.reason()).isEqualTo(AvroWireException.Reason.MALFORMED));
        }

        @Test
        void a_message_of_another_type_is_refused() {
            byte[] submission = AvroWire.submitJob().encode(Samples.submitJob());

            assertThatThrownBy(() -> AvroWire.stageTask().decode(submission))
                    .isInstanceOf(AvroWireException.class);
        }

        @Test
        void random_bodies_behind_a_valid_header_fail_only_as_unreadable_messages() {
            byte[] valid = AvroWire.stageTask().encode(Samples.stageTask());
            java.util.Random random = new java.util.Random(20261123);
            for (int i = 0; i < 5_000; i++) {
                byte[] message = Arrays.copyOf(valid, 10 + random.nextInt(valid.length));
                for (int j = 10; j < message.length; j++) {
                    if (random.nextInt(4) == 0) {
                        message[j] = (byte) random.nextInt(256);
                    }
                }
                try {
                    AvroWire.stageTask().decode(message);
                } catch (AvroWireException expected) {
                    assertThat(expected.reason()).isEqualTo(AvroWireException.Reason.MALFORMED);
                }
            }
        }

        @Test
        void the_codec_goes_on_after_a_bad_message() {
            assertThatThrownBy(() -> AvroWire.stageTask().decode(new byte[]{1, 2, 3}))
                    .isInstanceOf(AvroWireException.class);

            StageTask task = Samples.stageTask();
            assertThat(AvroWire.stageTask().decode(AvroWire.stageTask().encode(task))).isEqualTo(task);
        }
    }

    @Test
    void generic_records_of_the_current_schema_read_as_the_generated_class() {
        GenericData.Record generic = new GenericData.Record(StageTask.getClassSchema());
        StageTask task = Samples.stageTask();
        for (Schema.Field field : StageTask.getClassSchema().getFields()) {
            Object value = task.get(field.pos());
            generic.put(field.pos(), value instanceof java.time.Instant instant ? instant.toEpochMilli() : value);
        }

        assertThat(AvroWire.stageTask().decode(AvroWire.generic(StageTask.getClassSchema()).encode(generic)))
                .isEqualTo(task);
    }
}
