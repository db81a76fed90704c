package io.songmap.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BulkReprocessFilterTest {
  private static JsonObject job(String createdAt, String model, String version) {
    JsonObject stages = new JsonObject().put("ingest", new JsonObject().put("status", "COMPLETED"));
    if (model != null) {
      stages.put("drums", new JsonObject().put("status", "COMPLETED")
          .put("model", new JsonObject().put("name", model).put("version", version)));
    }
    return new JsonObject().put("id", "j").put("createdAt", createdAt).put("stages", stages);
  }

  @Nested
  class Dates {
    @Test
    void aDateIsMidnightUtcAndAsAnUpperBoundTheNextOne() {
      assertThat(ClientCommands.when("2026-11-01", false, "--since")).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
      assertThat(ClientCommands.when("2026-11-01", true, "--until")).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
    }

    @Test
    void aTimeNeedsItsOffset() {
      assertThat(ClientCommands.when("2026-11-01T08:00:00+01:00", true, "--until"))
          .isEqualTo(Instant.parse("2026-11-01T07:00:00Z"));
      assertThatThrownBy(() -> ClientCommands.when("2026-11-01T08:00", false, "--since"))
          .hasMessageContaining("--since");
    }
  }

  @Nested
  class Matching {
    @Test
    void theWindowIncludesSinceAndExcludesUntil() {
      BulkReprocess.Filter f = BulkReprocess.Filter.of("completed", Map.of(), "2026-11-01", "2026-11-01");
      assertThat(f.state()).isEqualTo("COMPLETED");
      assertThat(f.matches(job("2026-11-01T00:00:00Z", null, null))).isTrue();
      assertThat(f.matches(job("2026-11-01T23:59:59Z", null, null))).isTrue();
      assertThat(f.matches(job("2026-11-02T00:00:00Z", null, null))).isFalse();
      assertThat(f.matches(job("2026-10-31T23:59:59Z", null, null))).isFalse();
    }

    @Test
    void everyModelVersionAskedForMustHaveBeenUsed() {
      BulkReprocess.Filter f = BulkReprocess.Filter.of("COMPLETED", Map.of("drum_cnn", "1"), null, null);
      assertThat(f.matches(job("2026-11-01T00:00:00Z", "drum_cnn", "1"))).isTrue();
      assertThat(f.matches(job("2026-11-01T00:00:00Z", "drum_cnn", "2"))).isFalse();
      assertThat(f.matches(job("2026-11-01T00:00:00Z", null, null))).isFalse();
    }

    @Test
    void aStateIsRequiredAndKnown() {
      assertThatThrownBy(() -> BulkReprocess.Filter.of(null, Map.of(), null, null)).hasMessageContaining("--state");
      assertThatThrownBy(() -> BulkReprocess.Filter.of("done", Map.of(), null, null)).hasMessageContaining("--state");
      assertThatThrownBy(() -> BulkReprocess.Filter.of("failed", Map.of(), "2026-11-02", "2026-11-01"))
          .hasMessageContaining("--since");
    }
  }

  @Test
  void theApiUrlGetsItsPrefixOnce() {
    assertThat(new ApiClient("http://h:8080/", "smk_x").api().toString()).isEqualTo("http://h:8080/api/v1");
    assertThat(new ApiClient("https://h/api/v1", "smk_x").api().toString()).isEqualTo("https://h/api/v1");
    assertThatThrownBy(() -> new ApiClient("ftp://h", "smk_x")).hasMessageContaining("--api");
    assertThatThrownBy(() -> new ApiClient("http://h", null)).hasMessageContaining("SONGMAP_API_KEY");
  }
}
