package io.songmap.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.songmap.avro.JobEvent;
import io.songmap.avro.event.StageCompleted;
import io.songmap.avro.event.StageFailed;
import io.songmap.avro.event.StageRequested;
import io.songmap.avro.event.StageSkipped;
import io.songmap.avro.event.StageStarted;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage latencies and audio processed, derived from the job events this gateway receives live from Kafka.
 * Every replica's live consumer reads every event, so each replica's histograms and counter describe the whole
 * system: quantiles over replicas come out right, but sums over replicas count each event once per replica (see
 * {@code docs/operations.md}).
 *
 * <p>An attempt's latency is measured from its StageRequested (or StageStarted) to its StageCompleted, by the
 * events' own times; attempts requested before this gateway started are not measured. Events arrive on the live
 * consumer's single thread.
 */
public final class StageTimings implements Consumer<JobEvent> {
  private static final Logger log = LoggerFactory.getLogger(StageTimings.class);
  /** Attempts waiting for their result; beyond this the oldest are forgotten (stuck or cancelled jobs). */
  private static final int TRACKED_ATTEMPTS = 50_000;
  private static final int REMEMBERED_EVENT_IDS = 50_000;
  private static final String INGEST = "ingest";
  /** The ingest stage's output holding the decoded audio's length. */
  private static final String DURATION_SECONDS = "durationSeconds";
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10)};

  private final MeterRegistry registry;
  private final Map<String, Timer> requestedToCompleted = new ConcurrentHashMap<>();
  private final Map<String, Timer> startedToCompleted = new ConcurrentHashMap<>();
  private final Counter audioSeconds;
  private final Map<String, Instant> requested = lru(TRACKED_ATTEMPTS);
  private final Map<String, Instant> started = lru(TRACKED_ATTEMPTS);
  // The relay publishes at least once; a republished event must not be measured twice.
  private final Map<String, Boolean> seen = lru(REMEMBERED_EVENT_IDS);

  public StageTimings(MeterRegistry registry) {
    this.registry = registry;
    this.audioSeconds = Counter.builder("songmap_audio_processed_seconds")
        .description("length of the audio ingested (every completed ingest, reprocessing included)")
        .register(registry);
  }

  @Override
  public synchronized void accept(JobEvent event) {
    if (seen.put(event.getEventId(), Boolean.TRUE) != null) {
      return;
    }
    Object payload = event.getPayload();
    if (payload instanceof StageRequested r) {
      requested.put(key(event, r.getStage(), r.getRun(), r.getAttempt()), event.getTime());
    } else if (payload instanceof StageStarted s) {
      started.put(key(event, s.getStage(), s.getRun(), s.getAttempt()), event.getTime());
    } else if (payload instanceof StageCompleted c) {
      String key = key(event, c.getStage(), c.getRun(), c.getAttempt());
      observe(requestedToCompleted, "songmap_stage_requested_to_completed",
          "from a stage attempt's request to its completion: waiting in the topic, backoff and work", c.getStage(),
          requested.remove(key), event.getTime());
      observe(startedToCompleted, "songmap_stage_started_to_completed",
          "from a stage attempt's start to its completion: the work", c.getStage(), started.remove(key),
          event.getTime());
      if (INGEST.equals(c.getStage())) {
        countAudio(event, c.getOutputs().get(DURATION_SECONDS));
      }
    } else if (payload instanceof StageFailed f) {
      forget(key(event, f.getStage(), f.getRun(), f.getAttempt()));
    } else if (payload instanceof StageSkipped s) {
      forget(key(event, s.getStage(), s.getRun(), s.getAttempt()));
    }
  }

  /** A failed or skipped attempt has no completion to measure; a retry is an attempt of its own. */
  private void forget(String key) {
    requested.remove(key);
    started.remove(key);
  }

  private void observe(Map<String, Timer> timers, String name, String description, String stage, Instant from,
      Instant to) {
    if (from == null || to.isBefore(from)) {
      return;
    }
    timers.computeIfAbsent(stage, s -> Timer.builder(name).description(description).tag("stage", s)
            .serviceLevelObjectives(BUCKETS).register(registry))
        .record(Duration.between(from, to));
  }

  private void countAudio(JobEvent event, String seconds) {
    if (seconds == null) {
      return;
    }
    try {
      double value = Double.parseDouble(seconds);
      if (value >= 0 && Double.isFinite(value)) {
        audioSeconds.increment(value);
      }
    } catch (NumberFormatException e) {
      log.atWarn().addKeyValue("jobId", event.getJobId()).addKeyValue("tenant", event.getTenant())
          .log("ingest completed with an unreadable {}: {}", DURATION_SECONDS, seconds);
    }
  }

  private static String key(JobEvent event, String stage, int run, int attempt) {
    return event.getTenant() + '\u0000' + event.getJobId() + '\u0000' + stage + '\u0000' + run + '\u0000' + attempt;
  }

  private static <V> Map<String, V> lru(int capacity) {
    return new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
