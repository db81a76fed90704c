package io.songmap.stages.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.job.stage.Stage;
import io.songmap.stages.relay.RelayConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void durationsReadInTheUsualShapes() {
    assertThat(EnvValues.parseDuration("X", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(EnvValues.parseDuration("X", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(EnvValues.parseDuration("X", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(EnvValues.parseDuration("X", "PT3S")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> EnvValues.parseDuration("SONGMAP_STAGE_TIMEOUT", "soon"))
        .hasMessageContaining("SONGMAP_STAGE_TIMEOUT");
  }

  @Test
  void workerSettingsComeFromTheEnvironmentOverDefaults() {
    StageWorkerConfig c = StageWorkerConfig.fromEnv(new EnvValues(Map.of(
        "SONGMAP_KAFKA_BOOTSTRAP", "kafka:9092",
        "SONGMAP_KAFKA_TOPIC_PREFIX", "staging.",
        "SONGMAP_STAGE_MAX_IN_FLIGHT", "4",
        "SONGMAP_STAGE_TIMEOUT", "90s")));
    assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(c.maxInFlight()).isEqualTo(4);
    assertThat(c.stageTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.heartbeatInterval()).isEqualTo(StageWorkerConfig.defaults("x").heartbeatInterval());
    assertThat(c.topics().stage(Stage.MELODY_BASS)).isEqualTo("staging.songmap.stage.melody_bass.v1");
    assertThat(c.topics().stageGroup(Stage.MELODY_BASS)).isEqualTo("staging.songmap.stage.melody_bass");
  }

  @Test
  void inconsistentSettingsAreRefusedAtStart() {
    StageWorkerConfig d = StageWorkerConfig.defaults("k:9092");
    assertThatThrownBy(() -> d.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)))
        .hasMessageContaining("heartbeatInterval");
    assertThatThrownBy(() -> d.withMaxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayConfig.defaults("k:9092").withLease(Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .hasMessageContaining("half of leaseTtl");
    assertThatThrownBy(() -> new KafkaTopics("bad prefix")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyTopicHasItsDeadLetterTopicBeside() {
    KafkaTopics topics = new KafkaTopics("p.");
    assertThat(topics.all()).contains("p.songmap.job-events.v1", "p.songmap.stage.package.v1",
        "p.songmap.stage.package.v1.dlq");
  }
}
