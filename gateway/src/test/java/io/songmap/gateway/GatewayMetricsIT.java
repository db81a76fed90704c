package io.songmap.gateway;

import static io.songmap.gateway.GatewayHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.job.stage.Stage;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics} after jobs go through the real pipeline: the relay, a stage worker per stage on the shared
 * broker with handlers that only wait a little, and the gateway's projection and live consumer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayMetricsIT {
  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final double AUDIO_SECONDS = 12.5;
  private static final Duration WORK = Duration.ofMillis(120);

  private GatewayHarness h;
  private final Map<String, Promise<StageResult>> heldPackages = new HashMap<>();
  private volatile boolean holdPackage;

  @BeforeAll
  void start() {
    h = new GatewayHarness("gateway_metrics", true);
    StageWorkerConfig workers = StageWorkerConfig.defaults(h.kafka).withTopics(h.topics).withMaxInFlight(4)
        .withShutdownGrace(Duration.ofMillis(500));
    for (Stage stage : Stage.values()) {
      await(h.vertx.deployVerticle(new StageWorker(stage, handler(stage), h.commands, workers)));
    }
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private StageHandler handler(Stage stage) {
    return (task, ctx) -> {
      Map<String, String> outputs = stage == Stage.INGEST
          ? Map.of("durationSeconds", Double.toString(AUDIO_SECONDS), "audio", "a/" + task.jobId())
          : Map.of("out", stage.wireName());
      if (stage == Stage.PACKAGE && holdPackage) {
        Promise<StageResult> held = Promise.promise();
        synchronized (heldPackages) {
          heldPackages.put(task.jobId(), held);
        }
        return held.future();
      }
      return h.vertx.timer(WORK.toMillis()).map(t -> StageResult.completed(outputs));
    };
  }

  @Test
  void latenciesAudioJobsInFlightAndLagFollowThePipeline() {
    var tenant = h.tenant();
    String first = submit(tenant.getValue());
    awaitState(tenant.getValue(), first, "COMPLETED");

    String ingestGroup = h.topics.stageGroup(Stage.INGEST);
    String ingestTopic = h.topics.stage(Stage.INGEST);
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Scrape s = scrape();
      for (Stage stage : Stage.values()) {
        Map<String, String> labels = Map.of("stage", stage.wireName());
        assertThat(s.value("songmap_stage_requested_to_completed_seconds_count", labels)).as(stage + " count")
            .hasValue(1);
        assertThat(s.value("songmap_stage_started_to_completed_seconds_count", labels)).hasValue(1);
        // Each stage waits WORK before it completes, so the latency is at least that and lands in its buckets.
        assertThat(s.value("songmap_stage_requested_to_completed_seconds_sum", labels).orElseThrow())
            .isGreaterThanOrEqualTo(WORK.toMillis() / 1000.0).isLessThan(60);
        assertThat(s.value("songmap_stage_started_to_completed_seconds_bucket", with(labels, "le", "0.05")))
            .hasValue(0);
        assertThat(s.value("songmap_stage_started_to_completed_seconds_bucket", with(labels, "le", "600.0")))
            .hasValue(1);
      }
      assertThat(s.value("songmap_audio_processed_seconds_total", Map.of())).hasValue(AUDIO_SECONDS);
      assertThat(s.value("songmap_jobs_in_flight", Map.of())).hasValue(0);
      assertThat(s.value("songmap_kafka_consumer_lag", Map.of("group", ingestGroup, "topic", ingestTopic)))
          .hasValue(0);
      // Read from PostgreSQL at scrape time (NaN until the first answer); listeners keep up, so nearly empty.
      assertThat(s.value("songmap_pg_notify_queue_usage", Map.of()).orElseThrow()).isBetween(0.0, 0.01);
    });
    assertThat(scrape().text()).contains("# TYPE songmap_stage_requested_to_completed_seconds histogram");

    holdPackage = true;
    String second = submit(tenant.getValue());
    Promise<StageResult> held = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      synchronized (heldPackages) {
        return heldPackages.get(second);
      }
    }, p -> p != null);
    String packageGroup = h.topics.stageGroup(Stage.PACKAGE);
    String packageTopic = h.topics.stage(Stage.PACKAGE);
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Scrape s = scrape();
      assertThat(s.value("songmap_kafka_consumer_lag", Map.of("group", packageGroup, "topic", packageTopic)))
          .as("the held package task is not committed").hasValue(1);
      assertThat(s.value("songmap_kafka_consumer_lag", Map.of("group", ingestGroup, "topic", ingestTopic)))
          .hasValue(0);
      assertThat(s.value("songmap_jobs_in_flight", Map.of())).hasValue(1);
      assertThat(s.value("songmap_audio_processed_seconds_total", Map.of())).hasValue(2 * AUDIO_SECONDS);
    });

    held.complete(StageResult.completed(Map.of("out", "package")));
    awaitState(tenant.getValue(), second, "COMPLETED");
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Scrape s = scrape();
      assertThat(s.value("songmap_kafka_consumer_lag", Map.of("group", packageGroup, "topic", packageTopic)))
          .hasValue(0);
      assertThat(s.value("songmap_jobs_in_flight", Map.of())).hasValue(0);
      assertThat(s.value("songmap_stage_requested_to_completed_seconds_count", Map.of("stage", "package")))
          .hasValue(2);
      assertThat(s.value("songmap_jobs", Map.of("state", "COMPLETED"))).hasValue(2);
    });
  }

  private String submit(String key) {
    var r = h.submitUrl(key, "https://203.0.113.10/song.mp3");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return r.bodyAsJsonObject().getString("id");
  }

  private void awaitState(String key, String jobId, String state) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
        await(h.get(key, "/jobs/" + jobId).send()).bodyAsJsonObject().getString("state")).isEqualTo(state));
  }

  private Scrape scrape() {
    var r = await(h.http.get("/metrics").send());
    assertThat(r.statusCode()).isEqualTo(200);
    return new Scrape(r.bodyAsString());
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(labels);
    more.put(name, value);
    return more;
  }

  /** A Prometheus text exposition. */
  private record Scrape(String text) {

    /** The value of the series called {@code name} whose labels include {@code labels}, if exactly one. */
    OptionalDouble value(String name, Map<String, String> labels) {
      Optional<Double> found = Optional.empty();
      for (String line : text.split("\n")) {
        Matcher m = SERIES.matcher(line);
        if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
          continue;
        }
        Map<String, String> has = new HashMap<>();
        Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
        while (l.find()) {
          has.put(l.group(1), l.group(2));
        }
        if (has.entrySet().containsAll(labels.entrySet())) {
          assertThat(found).as("more than one series " + name + labels).isEmpty();
          found = Optional.of(Double.parseDouble(m.group(3)));
        }
      }
      return found.map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }
  }
}
