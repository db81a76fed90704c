package io.songmap.stages.relay;

import io.songmap.avro.StageTask;
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
import io.songmap.eventstore.RecordedEvent;
import io.songmap.job.AudioSource;
import io.songmap.job.ErrorCode;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.job.stage.Stage;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps job events between the domain ({@link JobEvent}) and the Avro contracts on Kafka: the {@link
 * io.songmap.avro.JobEvent} envelope with its typed payload, and the {@link StageTask} made from a
 * StageRequested. Times on the wire have millisecond precision.
 */
public final class JobEventAvro {
  private static final String URL = "url";
  private static final String OBJECT_KEY = "objectKey";

  private JobEventAvro() {}

  /** The envelope of a stored event: identity and positions from the store, payload from the event. */
  public static io.songmap.avro.JobEvent envelope(RecordedEvent recorded, JobEvent event, String correlationId,
      String causationId) {
    return io.songmap.avro.JobEvent.newBuilder()
        .setEventId(recorded.eventId().toString())
        .setJobId(event.jobId())
        .setTenant(recorded.tenant())
        .setVersion(recorded.version())
        .setGlobalPosition(recorded.position().globalPosition())
        .setType(recorded.type())
        .setSchemaVersion(recorded.schemaVersion())
        .setTime(event.at())
        .setCorrelationId(correlationId)
        .setCausationId(causationId)
        .setPayload(payload(event))
        .build();
  }

  /** The task a processor receives for a StageRequested event. */
  public static StageTask stageTask(RecordedEvent recorded, JobEvent.StageRequested event, String correlationId) {
    return stageTask(recorded.eventId(), recorded.tenant(), event, correlationId);
  }

  /** The task for a StageRequested with this event id, before or after it is stored. */
  public static StageTask stageTask(java.util.UUID eventId, String tenant, JobEvent.StageRequested event,
      String correlationId) {
    return StageTask.newBuilder()
        .setEventId(eventId.toString())
        .setJobId(event.jobId())
        .setTenant(tenant)
        .setStage(event.stage().wireName())
        .setRun(event.run())
        .setAttempt(event.attempt())
        .setNotBefore(event.notBefore())
        .setInputs(new HashMap<>(event.inputs()))
        .setModelVersions(new HashMap<>(event.modelVersions()))
        .setCorrelationId(correlationId == null ? event.jobId() : correlationId)
        .setPriority(event.priority())
        .build();
  }

  /** The Avro payload record of an event. */
  public static Object payload(JobEvent event) {
    return switch (event.type()) {
      case JOB_SUBMITTED -> {
        JobEvent.JobSubmitted e = (JobEvent.JobSubmitted) event;
        yield new JobSubmitted(e.source().kind() == AudioSource.Kind.URL ? URL : OBJECT_KEY, e.source().location(),
            List.copyOf(e.requestedOutputs()), e.priority(), new HashMap<>(e.metadata()),
            new HashMap<>(e.modelVersions()));
      }
      case STAGE_REQUESTED -> {
        JobEvent.StageRequested e = (JobEvent.StageRequested) event;
        yield new StageRequested(e.stage().wireName(), e.run(), e.attempt(), e.notBefore(),
            new HashMap<>(e.inputs()), new HashMap<>(e.modelVersions()), e.priority());
      }
      case STAGE_STARTED -> {
        JobEvent.StageStarted e = (JobEvent.StageStarted) event;
        yield new StageStarted(e.stage().wireName(), e.run(), e.attempt());
      }
      case STAGE_PROGRESSED -> {
        JobEvent.StageProgressed e = (JobEvent.StageProgressed) event;
        yield new StageProgressed(e.stage().wireName(), e.run(), e.attempt(), e.fraction());
      }
      case STAGE_COMPLETED -> {
        JobEvent.StageCompleted e = (JobEvent.StageCompleted) event;
        yield new StageCompleted(e.stage().wireName(), e.run(), e.attempt(), new HashMap<>(e.outputs()),
            e.model() == null ? null : new ModelRef(e.model().name(), e.model().version()));
      }
      case STAGE_FAILED -> {
        JobEvent.StageFailed e = (JobEvent.StageFailed) event;
        yield new StageFailed(e.stage().wireName(), e.run(), e.attempt(), e.code().name(), e.message(),
            e.willRetry());
      }
      case STAGE_SKIPPED -> {
        JobEvent.StageSkipped e = (JobEvent.StageSkipped) event;
        yield new StageSkipped(e.stage().wireName(), e.run(), e.attempt(), e.reason());
      }
      case JOB_COMPLETED -> new JobCompleted(((JobEvent.JobCompleted) event).run());
      case JOB_FAILED -> {
        JobEvent.JobFailed e = (JobEvent.JobFailed) event;
        yield new JobFailed(e.run(), e.stage().wireName(), e.code().name(), e.message());
      }
      case JOB_CANCELLED -> new JobCancelled(((JobEvent.JobCancelled) event).reason());
      case REPROCESS_REQUESTED -> {
        JobEvent.ReprocessRequested e = (JobEvent.ReprocessRequested) event;
        yield new ReprocessRequested(e.run(), e.fromStage().wireName(),
            e.stages().stream().map(Stage::wireName).toList(), new HashMap<>(e.modelVersions()));
      }
    };
  }

  /**
   * The domain event an envelope carries.
   *
   * @throws IllegalArgumentException when the payload is not one this version knows, or its values are invalid
   */
  public static JobEvent fromAvro(io.songmap.avro.JobEvent envelope) {
    String jobId = envelope.getJobId();
    Instant at = envelope.getTime();
    Object p = envelope.getPayload();
    JobEventType type = JobEventType.fromTypeName(envelope.getType());
    return switch (type) {
      case JOB_SUBMITTED -> {
        JobSubmitted e = (JobSubmitted) p;
        AudioSource source = switch (e.getSourceKind()) {
          case URL -> AudioSource.url(e.getSourceLocation());
          case OBJECT_KEY -> AudioSource.objectKey(e.getSourceLocation());
          default -> throw new IllegalArgumentException("unknown source kind " + e.getSourceKind());
        };
        yield new JobEvent.JobSubmitted(jobId, envelope.getTenant(), source, List.copyOf(e.getRequestedOutputs()),
            e.getPriority(), Map.copyOf(e.getMetadata()), Map.copyOf(e.getModelVersions()), at);
      }
      case STAGE_REQUESTED -> {
        StageRequested e = (StageRequested) p;
        yield new JobEvent.StageRequested(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(),
            e.getNotBefore(), Map.copyOf(e.getInputs()), Map.copyOf(e.getModelVersions()), e.getPriority(), at);
      }
      case STAGE_STARTED -> {
        StageStarted e = (StageStarted) p;
        yield new JobEvent.StageStarted(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(), at);
      }
      case STAGE_PROGRESSED -> {
        StageProgressed e = (StageProgressed) p;
        yield new JobEvent.StageProgressed(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(),
            e.getFraction(), at);
      }
      case STAGE_COMPLETED -> {
        StageCompleted e = (StageCompleted) p;
        ModelRef m = e.getModel();
        yield new JobEvent.StageCompleted(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(),
            Map.copyOf(e.getOutputs()), m == null ? null : new io.songmap.job.ModelRef(m.getName(), m.getVersion()),
            at);
      }
      case STAGE_FAILED -> {
        StageFailed e = (StageFailed) p;
        yield new JobEvent.StageFailed(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(),
            ErrorCode.valueOf(e.getCode()), e.getMessage(), e.getWillRetry(), at);
      }
      case STAGE_SKIPPED -> {
        StageSkipped e = (StageSkipped) p;
        yield new JobEvent.StageSkipped(jobId, Stage.fromWireName(e.getStage()), e.getRun(), e.getAttempt(),
            e.getReason(), at);
      }
      case JOB_COMPLETED -> new JobEvent.JobCompleted(jobId, ((JobCompleted) p).getRun(), at);
      case JOB_FAILED -> {
        JobFailed e = (JobFailed) p;
        yield new JobEvent.JobFailed(jobId, e.getRun(), Stage.fromWireName(e.getStage()),
            ErrorCode.valueOf(e.getCode()), e.getMessage(), at);
      }
      case JOB_CANCELLED -> new JobEvent.JobCancelled(jobId, ((JobCancelled) p).getReason(), at);
      case REPROCESS_REQUESTED -> {
        ReprocessRequested e = (ReprocessRequested) p;
        yield new JobEvent.ReprocessRequested(jobId, e.getRun(), Stage.fromWireName(e.getFromStage()),
            e.getStages().stream().map(Stage::fromWireName).toList(), Map.copyOf(e.getModelVersions()), at);
      }
    };
  }
}
