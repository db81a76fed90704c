package io.songmap.avro.wire;

import io.songmap.avro.AudioObjectKey;
import io.songmap.avro.AudioUrl;
import io.songmap.avro.JobEvent;
import io.songmap.avro.StageTask;
import io.songmap.avro.SubmitJob;
import io.songmap.avro.event.JobCancelled;
import io.songmap.avro.event.JobCompleted;
import io.songmap.avro.event.JobFailed;
import io.songmap.avro.event.JobSubmitted;
import io.songmap.avro.event.ModelRef;
import io.songmap.avro.event.ReprocessRequested;
import io.songmap.avro.event.StageCompleted;
import io.songmap.avro.event.StageFailed;
import io.songmap.avro.event.StageProgressed;
import io.songmap.avro.event.StageRequested;
import io.songmap.avro.event.StageSkipped;
import io.songmap.avro.event.StageStarted;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One record of each kind, with every field set. */
final class Samples {

    static final Instant TIME = Instant.parse("2026-01-01T10:00:00.123Z");

    private Samples() {
    }

    static SubmitJob submitJob() {
        return SubmitJob.newBuilder()
                .setTenant("acme")
                .setPartnerSubmissionId("sub-42")
                .setAudio(new AudioUrl("https://example.org/song.mp3"))
                .setRequestedOutputs(List.of("musicxml", "midi"))
                .setPriority(3)
                .setSubmittedAt(TIME)
                .setMetadata(Map.of("title", "Song"))
                .setModelVersions(Map.of("demucs", "htdemucs_ft"))
                .build();
    }

    static SubmitJob uploadedSubmitJob() {
        return SubmitJob.newBuilder(submitJob())
                .setAudio(new AudioObjectKey("uploads/acme/1.wav"))
                .setMetadata(null)
                .build();
    }

    static StageTask stageTask() {
        return StageTask.newBuilder()
                .setEventId("7d4c6a52-6f53-4c34-9d0e-7a3f1f0c9a11")
                .setJobId("job-1")
                .setTenant("acme")
                .setStage("drums")
                .setRun(1)
                .setAttempt(2)
                .setNotBefore(TIME)
                .setInputs(Map.of("separate.drums", "stems/job-1/drums.flac"))
                .setModelVersions(Map.of("drums", "cnn-1"))
                .setCorrelationId("corr-1")
                .setPriority(1)
                .build();
    }

    /** One payload of each event type. */
    static List<Object> payloads() {
        return List.of(
                new JobSubmitted("url", "https://example.org/song.mp3", List.of("midi"), 0, Map.of(), Map.of()),
                new StageRequested("drums", 1, 1, TIME, Map.of("separate.drums", "k"), Map.of("drums", "cnn-1"), 2),
                new StageStarted("drums", 1, 1),
                new StageProgressed("drums", 1, 1, 0.25),
                new StageCompleted("drums", 1, 1, Map.of("hits", "k2"), new ModelRef("drum-cnn", "1")),
                new StageFailed("drums", 1, 1, "TIMEOUT", "took too long", true),
                new StageSkipped("lyrics", 1, 1, "instrumental"),
                new JobCompleted(1),
                new JobFailed(1, "ingest", "AUDIO_CORRUPT", "cannot decode"),
                new JobCancelled("user"),
                new ReprocessRequested(2, "drums", List.of("drums", "package"), Map.of("drums", "cnn-2")));
    }

    static JobEvent jobEvent(Object payload) {
        return JobEvent.newBuilder()
                .setEventId("e-1")
                .setJobId("job-1")
                .setTenant("acme")
                .setVersion(4)
                .setGlobalPosition(1234)
                .setType(payload.getClass().getSimpleName())
                .setSchemaVersion(1)
                .setTime(TIME)
                .setCorrelationId("corr-1")
                .setCausationId("e-0")
                .setPayload(payload)
                .build();
    }
}
