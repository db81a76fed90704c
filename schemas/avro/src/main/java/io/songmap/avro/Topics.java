package io.songmap.avro;

import java.util.List;
import java.util.stream.Stream;

/**
 * Kafka topic names. Every message on them is keyed by job id (submissions by
 * {@code tenant:partnerSubmissionId}) and encoded with {@link io.songmap.avro.wire.AvroWire}.
 */
public final class Topics {

    /** Partners' {@link SubmitJob}s. */
    public static final String SUBMISSIONS = "songmap.submissions.v1";

    /** Every job event ({@link JobEvent}), in store order per job. */
    public static final String JOB_EVENTS = "songmap.job-events.v1";

    /** Appended to a consumed topic's name for its dead-letter topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** Stage wire names, in graph order; each has a topic of {@link StageTask}s. */
    public static final List<String> STAGES =
            List.of("ingest", "separate", "drums", "melody_bass", "lyrics", "package");

    private static final String STAGE_PREFIX = "songmap.stage.";
    private static final String STAGE_SUFFIX = ".v1";

    private Topics() {
    }

    /**
     * The task topic of a stage, {@code songmap.stage.<stage>.v1}.
     *
     * @throws IllegalArgumentException for a name that is not one of {@link #STAGES}
     */
    public static String stage(String stageWireName) {
        if (!STAGES.contains(stageWireName)) {
            throw new IllegalArgumentException("unknown stage: " + stageWireName);
        }
        return STAGE_PREFIX + stageWireName + STAGE_SUFFIX;
    }

    /** The dead-letter topic beside {@code topic}. */
    public static String dlq(String topic) {
        if (topic.endsWith(DLQ_SUFFIX)) {
            throw new IllegalArgumentException("already a dead-letter topic: " + topic);
        }
        return topic + DLQ_SUFFIX;
    }

    /** Every stage task topic, in graph order. */
    public static List<String> stageTopics() {
        return STAGES.stream().map(Topics::stage).toList();
    }

    /** Every topic the system uses, dead-letter topics included (for provisioning). */
    public static List<String> all() {
        List<String> consumed = Stream.concat(Stream.of(SUBMISSIONS, JOB_EVENTS), stageTopics().stream()).toList();
        return Stream.concat(consumed.stream(), consumed.stream().map(Topics::dlq)).toList();
    }
}
