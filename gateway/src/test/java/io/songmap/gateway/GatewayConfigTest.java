package io.songmap.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.stages.runtime.EnvValues;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void defaultsWithoutEnvironment() {
    GatewayConfig c = GatewayConfig.fromEnv(new EnvValues(Map.of()));
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.maxUploadBytes()).isEqualTo(500 * GatewayConfig.MIB);
    assertThat(c.maxActiveJobsPerTenant()).isEqualTo(3);
    assertThat(c.partnerIntake()).isTrue();
    assertThat(c.inferenceAddress()).isNull();
  }

  @Test
  void everySettingHasAnEnvironmentVariable() {
    GatewayConfig c = GatewayConfig.fromEnv(new EnvValues(Map.ofEntries(
        Map.entry("SONGMAP_GATEWAY_PORT", "9000"),
        Map.entry("SONGMAP_GATEWAY_HTTP_INSTANCES", "3"),
        Map.entry("SONGMAP_GATEWAY_MAX_UPLOAD_MB", "20"),
        Map.entry("SONGMAP_GATEWAY_MAX_ACTIVE_JOBS", "7"),
        Map.entry("SONGMAP_GATEWAY_RETRY_AFTER", "5s"),
        Map.entry("SONGMAP_GATEWAY_ALLOWED_URL_HOSTS", "Mirror.Internal, localhost"),
        Map.entry("SONGMAP_GATEWAY_WS_PING", "2s"),
        Map.entry("SONGMAP_KAFKA_TOPIC_PREFIX", "dev."),
        Map.entry("SONGMAP_TRITON_URL", "triton:8001"))));
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.httpInstances()).isEqualTo(3);
    assertThat(c.maxUploadBytes()).isEqualTo(20 * GatewayConfig.MIB);
    assertThat(c.maxActiveJobsPerTenant()).isEqualTo(7);
    assertThat(c.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.allowedUrlHosts()).isEqualTo(Set.of("mirror.internal", "localhost"));
    assertThat(c.wsPingInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.topics().jobEvents()).isEqualTo("dev.songmap.job-events.v1");
    assertThat(c.inferenceAddress()).isEqualTo("triton:8001");
  }

  @Test
  void noKafkaMeansNoPartnerIntake() {
    GatewayConfig c = GatewayConfig.fromEnv(new EnvValues(Map.of("SONGMAP_KAFKA_BOOTSTRAP", "none")));
    assertThat(c.kafkaBootstrap()).isNull();
    assertThat(c.partnerIntake()).isFalse();
    assertThatThrownBy(() -> c.withKafka(null, c.topics(), true)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidSettingsAreRefusedAtStart() {
    GatewayConfig d = GatewayConfig.defaults();
    assertThatThrownBy(() -> d.withPort(70000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withHttpInstances(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withLimits(0, 3, Set.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withInferenceAddress("no-port")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withWebSocket(Duration.ZERO, 4096, Duration.ofSeconds(1), 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
