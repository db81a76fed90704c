package io.songmap.job;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobEventTypeTest {

    @Test
    void every_event_record_has_exactly_one_type() {
        Set<Class<?>> records = Arrays.stream(JobEvent.class.getPermittedSubclasses())
                .filter(Class::isRecord).collect(Collectors.toSet());
        Set<Class<?>> stageRecords = Set.of(JobEvent.StageEvent.class.getPermittedSubclasses());
        Set<Class<?>> typed = Arrays.stream(JobEventType.values()).map(JobEventType::eventClass)
                .collect(Collectors.toSet());

        assertThat(typed).hasSize(JobEventType.values().length);
        assertThat(typed).containsExactlyInAnyOrderElementsOf(
                java.util.stream.Stream.concat(records.stream(), stageRecords.stream()).toList());
    }

    @Test
    void type_names_are_the_event_names() {
        for (JobEventType type : JobEventType.values()) {
            assertThat(type.typeName()).isEqualTo(type.eventClass().getSimpleName());
            assertThat(JobEventType.fromTypeName(type.typeName())).isEqualTo(type);
        }
        assertThat(JobEventType.typeNameOf(JobTest.completed(io.songmap.job.stage.Stage.DRUMS, 1, 1)))
                .isEqualTo("StageCompleted");
    }

    @Test
    void unknown_type_names_are_refused() {
        assertThatThrownBy(() -> JobEventType.fromTypeName("StageExploded"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
