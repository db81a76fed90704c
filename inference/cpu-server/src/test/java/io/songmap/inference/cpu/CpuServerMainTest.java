package io.songmap.inference.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CpuServerMainTest {

  @Test
  void helpListsTheSettings() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new CpuServerMain());
    cli.setOut(new PrintWriter(out));

    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString()).contains("--port", "--threads", "--no-batching", "--max-queue-delay-us", "--preferred-batch-sizes");
  }

  @Test
  void environmentOverridesDefaults() {
    CpuServerConfig c = CpuServerConfig.fromEnv(Map.of(
        "SONGMAP_CPU_SERVER_PORT", "9001",
        "SONGMAP_CPU_SERVER_THREADS", "3",
        "SONGMAP_CPU_SERVER_MAX_QUEUE_DELAY_US", "500",
        "SONGMAP_CPU_SERVER_PREFERRED_BATCH_SIZES", "4, 8"));

    assertThat(c.port()).isEqualTo(9001);
    assertThat(c.workerThreads()).isEqualTo(3);
    assertThat(c.instancesPerModel()).isEqualTo(3);
    assertThat(c.batching().maxQueueDelay()).isEqualTo(Duration.ofNanos(500_000));
    assertThat(c.batching().preferredBatchSizes()).containsExactly(4, 8);
  }

  @Test
  void configRulesAcrossFields() {
    assertThatThrownBy(() -> CpuServerConfig.defaults(0).withWorkers(2, 3)).hasMessageContaining("instancesPerModel");
    assertThatThrownBy(() -> CpuServerConfig.Batching.DEFAULT.withPreferredBatchSizes(List.of(0))).hasMessageContaining("preferred");
  }
}
