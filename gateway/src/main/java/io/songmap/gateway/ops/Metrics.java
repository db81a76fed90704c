package io.songmap.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.job.JobStatus;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The gateway's meters and the Prometheus {@code /metrics} scrape. Jobs by state and in flight come from the
 * status table at scrape time, so every gateway replica reports the same numbers. Every meter is listed in
 * {@code docs/operations.md}.
 */
public final class Metrics {
  private static final Set<String> IN_FLIGHT = Set.of(JobStatus.SUBMITTED.name(), JobStatus.RUNNING.name());

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger webSockets = new AtomicInteger();
  private final AtomicLong jobsInFlight = new AtomicLong();
  // NaN until PostgreSQL first answers.
  private final AtomicReference<Double> notifyQueueUsage = new AtomicReference<>(Double.NaN);
  private final MultiGauge jobsByState;
  private final MultiGauge failedByStage;
  private final JobStatusQueries status;

  public Metrics(JobStatusQueries status) {
    this.status = status;
    this.jobsByState = MultiGauge.builder("songmap_jobs").description("jobs by state").register(registry);
    this.failedByStage = MultiGauge.builder("songmap_jobs_failed").description("failed jobs by the stage they failed at")
        .register(registry);
    Gauge.builder("songmap_jobs_in_flight", jobsInFlight, AtomicLong::get)
        .description("unfinished jobs: submitted or running").register(registry);
    Gauge.builder("songmap_pg_notify_queue_usage", notifyQueueUsage, AtomicReference::get)
        .description("share of PostgreSQL's NOTIFY queue in use; appends fail when it is full").register(registry);
    Gauge.builder("songmap_websocket_connections", webSockets, AtomicInteger::get)
        .description("open WebSocket event streams").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public AtomicInteger webSockets() {
    return webSockets;
  }

  public void gauge(String name, String description, IntSupplier value) {
    Gauge.builder(name, value::getAsInt).description(description).register(registry);
  }

  /** A counter whose value another object keeps. */
  public void counter(String name, String description, java.util.function.LongSupplier value) {
    FunctionCounter.builder(name, value, v -> v.getAsLong()).description(description).register(registry);
  }

  public Counter counter(String name, String... tags) {
    return Counter.builder(name).tags(tags).register(registry);
  }

  private static java.util.List<MultiGauge.Row<?>> rows(String tag, java.util.Map<String, Long> counts) {
    return counts.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of(tag, e.getKey()), e.getValue()))
        .toList();
  }

  public void mount(Router router) {
    router.get("/metrics").handler(ctx -> {
      Future<Void> states = status.countByState().map(counts -> {
        jobsByState.register(rows("state", counts), true);
        jobsInFlight.set(counts.entrySet().stream().filter(e -> IN_FLIGHT.contains(e.getKey()))
            .mapToLong(Map.Entry::getValue).sum());
        return null;
      });
      Future<Void> failures = status.countFailedByStage().map(counts -> {
        failedByStage.register(rows("stage", counts), true);
        return null;
      });
      Future<Void> notifyQueue = status.notificationQueueUsage().map(usage -> {
        notifyQueueUsage.set(usage);
        return null;
      });
      // A database that does not answer leaves those gauges as they were; the rest is still worth scraping.
      Future.join(states, failures, notifyQueue).onComplete(ar -> ctx.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape()));
    });
  }
}
