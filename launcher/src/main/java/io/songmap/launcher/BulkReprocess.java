package io.songmap.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reprocesses every job of the tenant that matches a filter, at a bounded rate. Pages through
 * {@code GET /jobs?state=} newest first (the cursor is the job's place in the event log, so jobs that change state
 * while this runs do not shift the pages) and applies the filters the gateway does not know here.
 */
final class BulkReprocess {
  private static final int PAGE = 100;
  private static final int MAX_RETRIES = 5;

  private final ApiClient api;
  private final PrintWriter out;

  BulkReprocess(ApiClient api, PrintWriter out) {
    this.api = api;
    this.out = out;
  }

  /**
   * Which jobs: {@code state} is asked of the gateway; the model versions (every one must have been used by some
   * stage) and the creation window [{@code since}, {@code until}) are checked on each listed job.
   */
  record Filter(String state, Map<String, String> modelVersions, Instant since, Instant until) {
    Filter {
      if (state == null || state.isBlank()) {
        throw new IllegalArgumentException("--all needs --state (completed, failed or cancelled)");
      }
      state = state.trim().toUpperCase(Locale.ROOT);
      if (!List.of("SUBMITTED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED").contains(state)) {
        throw new IllegalArgumentException("--state must be one of completed, failed, cancelled, running, submitted");
      }
      modelVersions = Map.copyOf(modelVersions);
      if (since != null && until != null && !since.isBefore(until)) {
        throw new IllegalArgumentException("--since must be before --until");
      }
    }

    static Filter of(String state, Map<String, String> modelVersions, String since, String until) {
      return new Filter(state, modelVersions, since == null ? null : ClientCommands.when(since, false, "--since"),
          until == null ? null : ClientCommands.when(until, true, "--until"));
    }

    boolean matches(JsonObject job) {
      Instant created = Instant.parse(job.getString("createdAt"));
      if ((since != null && created.isBefore(since)) || (until != null && !created.isBefore(until))) {
        return false;
      }
      JsonObject stages = job.getJsonObject("stages", new JsonObject());
      for (Map.Entry<String, String> wanted : modelVersions.entrySet()) {
        boolean used = stages.stream().anyMatch(e -> e.getValue() instanceof JsonObject stage
            && stage.getJsonObject("model") != null
            && wanted.getKey().equals(stage.getJsonObject("model").getString("name"))
            && wanted.getValue().equals(stage.getJsonObject("model").getString("version")));
        if (!used) {
          return false;
        }
      }
      return true;
    }
  }

  /** What a run did: jobs listed in the state, of which matched, of which reprocessed and refused. */
  record Summary(int listed, int matched, int reprocessed, int refused, double seconds) {}

  Summary run(Filter filter, String fromStage, Map<String, String> models, double jobsPerSecond, boolean dryRun)
      throws InterruptedException {
    long start = System.nanoTime();
    long intervalNanos = (long) (1e9 / jobsPerSecond);
    long nextSlot = start;
    int listed = 0;
    int matched = 0;
    int reprocessed = 0;
    int refused = 0;
    String cursor = null;
    do {
      JsonObject page = api.jobs(filter.state(), cursor, PAGE);
      cursor = page.getString("nextCursor");
      JsonArray jobs = page.getJsonArray("jobs", new JsonArray());
      for (int i = 0; i < jobs.size(); i++) {
        JsonObject job = jobs.getJsonObject(i);
        listed++;
        if (!filter.matches(job)) {
          continue;
        }
        matched++;
        String id = job.getString("id");
        if (dryRun) {
          out.printf("[%d] %s (created %s, run %d): would be reprocessed from %s%n", matched, id,
              job.getString("createdAt"), job.getInteger("run", 0), fromStage);
          out.flush();
          continue;
        }
        long wait = nextSlot - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        nextSlot = Math.max(nextSlot, System.nanoTime() - intervalNanos) + intervalNanos;
        try {
          JsonObject after = reprocess(id, fromStage, models);
          reprocessed++;
          out.printf("[%d] %s: reprocessing from %s, run %d%n", matched, id, fromStage, after.getInteger("run", 0));
        } catch (ApiClient.ApiException e) {
          if (e.status == 0) {
            throw e; // the gateway is gone: stop rather than count every remaining job as refused
          }
          refused++;
          out.printf("[%d] %s: refused, %s%n", matched, id, e);
        }
        out.flush();
      }
    } while (cursor != null);
    double seconds = (System.nanoTime() - start) / 1e9;
    Summary summary = new Summary(listed, matched, reprocessed, refused, seconds);
    out.printf("%s %d of %d %s job(s); %s%s in %.1f s%n", dryRun ? "would reprocess" : "matched", matched, listed,
        filter.state().toLowerCase(Locale.ROOT), dryRun ? "nothing changed" : reprocessed + " reprocessed, " + refused
            + " refused", dryRun || reprocessed == 0 ? "" : String.format(" (%.1f jobs/s)", reprocessed / seconds),
        seconds);
    out.flush();
    return summary;
  }

  /** One reprocess, waiting out {@code 429}s as the gateway's {@code Retry-After} says. */
  private JsonObject reprocess(String id, String fromStage, Map<String, String> models) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return api.reprocess(id, fromStage, models);
      } catch (ApiClient.ApiException e) {
        if ((e.status != 429 && e.status != 503) || attempt >= MAX_RETRIES) {
          throw e;
        }
        long seconds = Math.min(60, e.retryAfterSeconds.orElse(1));
        out.printf("  %s: %s; retrying in %d s%n", id, e.code, seconds);
        out.flush();
        Thread.sleep(seconds * 1000);
      }
    }
  }
}
