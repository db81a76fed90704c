package io.songmap.launcher.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {

  @Test
  void serverRolesLogJsonAndCommandsAPersonReadsLogText() {
    for (String server : new String[] {"gateway", "processors", "relay", "cpu-server"}) {
      assertThat(LogFormat.choose(new String[] {server, "--stages", "ingest"}, Map.of())).as(server)
          .isEqualTo(LogFormat.JSON);
    }
    for (String command : new String[] {"run", "dev", "submit", "watch", "reprocess", "tenants"}) {
      assertThat(LogFormat.choose(new String[] {command, "song.mp3"}, Map.of())).as(command)
          .isEqualTo(LogFormat.TEXT);
    }
    assertThat(LogFormat.choose(new String[] {}, Map.of())).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void theEnvironmentOverridesTheCommandsChoice() {
    assertThat(LogFormat.choose(new String[] {"gateway"}, Map.of(LogFormat.ENV, "text"))).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.choose(new String[] {"watch", "j1"}, Map.of(LogFormat.ENV, " JSON ")))
        .isEqualTo(LogFormat.JSON);
    assertThatThrownBy(() -> LogFormat.choose(new String[] {"gateway"}, Map.of(LogFormat.ENV, "yaml")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SONGMAP_LOG_FORMAT");
  }
}
