package io.songmap.job.stage;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place that knows the order of the stages:
 * <pre>
 * ingest → separate → {drums, melody_bass, lyrics} → package
 * </pre>
 * Separation fans out to the three analyses; packaging waits for all three (fan-in). Analyses are
 * optional: a job may skip one and still be packaged. Ingest, separation and packaging are not.
 */
public final class StageGraph {

    private static final Map<Stage, Set<Stage>> PREDECESSORS = new EnumMap<>(Stage.class);
    private static final Map<Stage, Set<Stage>> UPSTREAM = new EnumMap<>(Stage.class);
    private static final Map<Stage, Set<Stage>> DOWNSTREAM = new EnumMap<>(Stage.class);
    private static final Set<Stage> SKIPPABLE =
            Collections.unmodifiableSet(EnumSet.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS));

    static {
        PREDECESSORS.put(Stage.INGEST, EnumSet.noneOf(Stage.class));
        PREDECESSORS.put(Stage.SEPARATE, EnumSet.of(Stage.INGEST));
        PREDECESSORS.put(Stage.DRUMS, EnumSet.of(Stage.SEPARATE));
        PREDECESSORS.put(Stage.MELODY_BASS, EnumSet.of(Stage.SEPARATE));
        PREDECESSORS.put(Stage.LYRICS, EnumSet.of(Stage.SEPARATE));
        PREDECESSORS.put(Stage.PACKAGE, EnumSet.of(Stage.DRUMS, Stage.MELODY_BASS, Stage.LYRICS));
        PREDECESSORS.replaceAll((stage, preds) -> Collections.unmodifiableSet(preds));
        for (Stage stage : Stage.values()) {
            UPSTREAM.put(stage, Collections.unmodifiableSet(closure(stage, StageGraph::predecessors)));
            DOWNSTREAM.put(stage, Collections.unmodifiableSet(closure(stage, StageGraph::successors)));
        }
    }

    private StageGraph() {
    }

    /** The stage every job starts with. */
    public static Stage first() {
        return Stage.INGEST;
    }

    /** All stages in an order where each comes after its predecessors. */
    public static List<Stage> topologicalOrder() {
        return List.of(Stage.values());
    }

    /** The stages that must be completed or skipped before {@code stage} can be requested. */
    public static Set<Stage> predecessors(Stage stage) {
        return PREDECESSORS.get(stage);
    }

    /** The stages that directly wait on {@code stage}. */
    public static Set<Stage> successors(Stage stage) {
        EnumSet<Stage> successors = EnumSet.noneOf(Stage.class);
        PREDECESSORS.forEach((candidate, preds) -> {
            if (preds.contains(stage)) {
                successors.add(candidate);
            }
        });
        return Collections.unmodifiableSet(successors);
    }

    /** Every stage that (transitively) depends on {@code stage}, not including itself. */
    public static Set<Stage> downstream(Stage stage) {
        return DOWNSTREAM.get(stage);
    }

    /** Every stage {@code stage} (transitively) depends on, not including itself. */
    public static Set<Stage> upstream(Stage stage) {
        return UPSTREAM.get(stage);
    }

    private static EnumSet<Stage> closure(Stage stage, Function<Stage, Set<Stage>> step) {
        EnumSet<Stage> result = EnumSet.noneOf(Stage.class);
        for (Stage next : step.apply(stage)) {
            result.add(next);
            result.addAll(closure(next, step));
        }
        return result;
    }

    /** Whether a job may go on without this stage's result ({@code SkipStage}). */
    public static boolean isSkippable(Stage stage) {
        return SKIPPABLE.contains(stage);
    }
}
