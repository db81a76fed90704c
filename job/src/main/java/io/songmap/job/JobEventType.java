package io.songmap.job;

import java.util.Arrays;

/**
 * The stable type name of each event, as stored in the event store's {@code type} column and the
 * Avro envelope's {@code type} field. Renaming a record class must not change these.
 */
public enum JobEventType {
    JOB_SUBMITTED("JobSubmitted", JobEvent.JobSubmitted.class),
    STAGE_REQUESTED("StageRequested", JobEvent.StageRequested.class),
    STAGE_STARTED("StageStarted", JobEvent.StageStarted.class),
    STAGE_PROGRESSED("StageProgressed", JobEvent.StageProgressed.class),
    STAGE_COMPLETED("StageCompleted", JobEvent.StageCompleted.class),
    STAGE_FAILED("StageFailed", JobEvent.StageFailed.class),
    STAGE_SKIPPED("StageSkipped", JobEvent.StageSkipped.class),
    JOB_COMPLETED("JobCompleted", JobEvent.JobCompleted.class),
    JOB_FAILED("JobFailed", JobEvent.JobFailed.class),
    JOB_CANCELLED("JobCancelled", JobEvent.JobCancelled.class),
    REPROCESS_REQUESTED("ReprocessRequested", JobEvent.ReprocessRequested.class);

    /**
     * Version of the events' stored shape (the event store's {@code schema_ver}). Raise it when an
     * event record changes shape, and upcast older versions on read.
     */
    public static final int SCHEMA_VERSION = 1;

    private final String typeName;
    private final Class<? extends JobEvent> eventClass;

    JobEventType(String typeName, Class<? extends JobEvent> eventClass) {
        this.typeName = typeName;
        this.eventClass = eventClass;
    }

    public String typeName() {
        return typeName;
    }

    public Class<? extends JobEvent> eventClass() {
        return eventClass;
    }

    /** The type name of an event, e.g. {@code StageRequested}. */
    public static String typeNameOf(JobEvent event) {
        return event.type().typeName;
    }

    /** @throws IllegalArgumentException for a name that is no event type's */
    public static JobEventType fromTypeName(String typeName) {
        return Arrays.stream(values())
                .filter(type -> type.typeName.equals(typeName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown job event type: " + typeName));
    }
}
