package io.songmap.job.stage;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.songmap.job.stage.Stage.DRUMS;
import static io.songmap.job.stage.Stage.INGEST;
import static io.songmap.job.stage.Stage.LYRICS;
import static io.songmap.job.stage.Stage.MELODY_BASS;
import static io.songmap.job.stage.Stage.PACKAGE;
import static io.songmap.job.stage.Stage.SEPARATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageGraphTest {

    @Test
    void separation_fans_out_and_package_fans_in() {
        assertThat(StageGraph.successors(SEPARATE)).containsExactlyInAnyOrder(DRUMS, MELODY_BASS, LYRICS);
        assertThat(StageGraph.predecessors(PACKAGE)).containsExactlyInAnyOrder(DRUMS, MELODY_BASS, LYRICS);
        assertThat(StageGraph.predecessors(StageGraph.first())).isEmpty();
    }

    @Test
    void downstream_and_upstream_are_transitive() {
        assertThat(StageGraph.downstream(DRUMS)).containsExactly(PACKAGE);
        assertThat(StageGraph.downstream(INGEST)).containsExactlyInAnyOrder(SEPARATE, DRUMS, MELODY_BASS, LYRICS,
                PACKAGE);
        assertThat(StageGraph.upstream(LYRICS)).containsExactlyInAnyOrder(INGEST, SEPARATE);
        assertThat(StageGraph.downstream(PACKAGE)).isEmpty();
    }

    @Test
    void the_order_puts_every_stage_after_its_predecessors() {
        var order = StageGraph.topologicalOrder();
        for (Stage stage : order) {
            for (Stage predecessor : StageGraph.predecessors(stage)) {
                assertThat(order.indexOf(predecessor)).isLessThan(order.indexOf(stage));
            }
        }
        assertThat(order).containsExactlyInAnyOrder(Stage.values());
    }

    @Test
    void only_analyses_can_be_skipped() {
        assertThat(Arrays.stream(Stage.values()).filter(StageGraph::isSkippable))
                .containsExactly(DRUMS, MELODY_BASS, LYRICS);
    }

    @Test
    void wire_names_round_trip() {
        assertThat(Arrays.stream(Stage.values()).map(Stage::wireName))
                .containsExactly("ingest", "separate", "drums", "melody_bass", "lyrics", "package");
        for (Stage stage : Stage.values()) {
            assertThat(Stage.fromWireName(stage.wireName())).isEqualTo(stage);
        }
        assertThatThrownBy(() -> Stage.fromWireName("mix")).isInstanceOf(IllegalArgumentException.class);
    }
}
