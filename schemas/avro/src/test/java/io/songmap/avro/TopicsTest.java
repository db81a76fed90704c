package io.songmap.avro;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void topic_names_follow_the_design() {
        assertThat(Topics.SUBMISSIONS).isEqualTo("songmap.submissions.v1");
        assertThat(Topics.JOB_EVENTS).isEqualTo("songmap.job-events.v1");
        assertThat(Topics.stage("melody_bass")).isEqualTo("songmap.stage.melody_bass.v1");
        assertThat(Topics.dlq(Topics.stage("drums"))).isEqualTo("songmap.stage.drums.v1.dlq");
    }

    @Test
    void every_consumed_topic_has_a_dead_letter_topic() {
        assertThat(Topics.all()).hasSize(2 * (2 + 6))
                .contains("songmap.submissions.v1.dlq", "songmap.job-events.v1.dlq", "songmap.stage.package.v1.dlq");
    }

    @Test
    void unknown_stages_and_dlqs_of_dlqs_are_refused() {
        assertThatThrownBy(() -> Topics.stage("mix")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.dlq("songmap.job-events.v1.dlq")).isInstanceOf(IllegalArgumentException.class);
    }
}
