package io.songmap.job.stage;

import java.util.Arrays;

/**
 * The stages a job goes through. The order between them lives in {@link StageGraph}; this enum only
 * names them, gives their wire names and the weight each carries in the job's overall progress.
 */
public enum Stage {
    INGEST("ingest", 5),
    SEPARATE("separate", 40),
    DRUMS("drums", 15),
    MELODY_BASS("melody_bass", 15),
    LYRICS("lyrics", 10),
    PACKAGE("package", 15);

    private final String wireName;
    private final int progressWeight;

    Stage(String wireName, int progressWeight) {
        this.wireName = wireName;
        this.progressWeight = progressWeight;
    }

    /** The name used on the wire: topic names ({@code songmap.stage.<wireName>.v1}), Avro fields, JSON. */
    public String wireName() {
        return wireName;
    }

    /** Share of the job's overall progress, in percent; the weights of all stages add up to 100. */
    public int progressWeight() {
        return progressWeight;
    }

    /** @throws IllegalArgumentException for a name that is no stage's wire name */
    public static Stage fromWireName(String wireName) {
        return Arrays.stream(values())
                .filter(stage -> stage.wireName.equals(wireName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown stage: " + wireName));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
