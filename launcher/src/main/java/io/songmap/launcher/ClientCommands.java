package io.songmap.launcher;

import io.songmap.job.JobState;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that talk to a running gateway: submit, watch, reprocess. */
final class ClientCommands {
  /** The job completed (or, without watching, the request was accepted). */
  static final int OK = 0;
  /** The job failed or was cancelled. */
  static final int JOB_FAILED = 1;
  /** The gateway refused the request, or could not be reached. */
  static final int API_ERROR = 3;

  private static final String EXIT_CODES = """
      Exit codes:
        0  done (with --watch: the job completed)
        1  the job failed or was cancelled (its error code and message are printed)
        2  bad arguments
        3  the gateway refused the request or could not be reached""";

  private ClientCommands() {}

  @Command(name = "submit", mixinStandardHelpOptions = true, footer = EXIT_CODES,
      description = {"Submits a song to a running gateway and prints the job id.",
          "A local file is uploaded, streamed from disk as multipart/form-data; an",
          "http(s) URL is handed to the gateway to fetch. With --watch, follows the",
          "job to its end like `songmap watch`."})
  static final class Submit implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "FILE|URL", description = "an audio file, or an http(s) URL of one")
    String source;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
        description = "repeat-safe submission: the same key answers with the job the first request made")
    String idempotencyKey;

    @Option(names = "--outputs", split = ",", paramLabel = "NAME",
        description = "exports to make (songmap, musicxml, midi, pdf); default: the gateway's")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--priority", description = "scheduling priority (higher first); default: the gateway's")
    Integer priority;

    @Option(names = "--watch", description = "follow the job until it finishes, with progress bars")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        ApiClient client = api.client();
        ApiClient.Submitted submitted;
        if (source.matches("(?i)^https?://.*")) {
          submitted = client.submitUrl(source, idempotencyKey, outputs, priority);
        } else {
          Path file = Path.of(source);
          if (!Files.isRegularFile(file)) {
            err.println("songmap submit: no such file: " + source + " (a URL must start with http:// or https://)");
            return CommandLine.ExitCode.USAGE;
          }
          submitted = client.submitFile(file, idempotencyKey, outputs, priority);
        }
        JsonObject job = submitted.job();
        String id = job.getString("id");
        out.printf("job %s: %s%s%n", id, job.getString("state", "?").toLowerCase(Locale.ROOT),
            submitted.created() ? "" : " (made earlier with this idempotency key)");
        out.flush();
        return watch ? watch(client, id, 1, out, err, JobWatch.Settings.defaults()) : OK;
      } catch (ApiClient.ApiException e) {
        return apiError(err, "submit", e);
      }
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true, footer = EXIT_CODES,
      description = {"Follows a job with a progress bar per stage until it ends.",
          "Reads the job's WebSocket event stream until the job completes, fails or",
          "is cancelled. A dropped connection is resumed after the last event",
          "received: nothing is missed, nothing counted twice."})
  static final class Watch implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "JOB", description = "the job id")
    String jobId;

    @Option(names = "--give-up-after", paramLabel = "SECONDS",
        description = "stop when the stream cannot be resumed for this long (default ${DEFAULT-VALUE})")
    long giveUpSeconds = 120;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      try {
        return watch(api.client(), jobId, 1, spec.commandLine().getOut(), err,
            new JobWatch.Settings(Duration.ofSeconds(60), Duration.ofSeconds(giveUpSeconds)));
      } catch (ApiClient.ApiException e) {
        return apiError(err, "watch", e);
      }
    }
  }

  @Command(name = "reprocess", mixinStandardHelpOptions = true, footer = EXIT_CODES,
      description = {"Runs finished jobs again from a stage, with other models if asked.",
          "The stages before --from keep their results. With --all, every job that",
          "matches the filters, at a bounded rate: --state is asked of the gateway,",
          "the other filters are applied here. Examples:",
          "  songmap reprocess 1b2c... --from drums --model drum_cnn=2 --watch",
          "  songmap reprocess --all --state completed --model-version drum_cnn=1 \\",
          "      --from drums --model drum_cnn=2 --rate 5 --dry-run"})
  static final class Reprocess implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "the job id (or --all)")
    String jobId;

    @Option(names = "--from", required = true, paramLabel = "STAGE",
        description = "the first stage to run again: ingest, separate, drums, melody_bass, lyrics, package")
    String fromStage;

    @Option(names = "--model", paramLabel = "NAME=VERSION", description = "a model version to use this time")
    Map<String, String> models = new LinkedHashMap<>();

    @Option(names = "--watch", description = "follow the job until it finishes (single job only)")
    boolean watch;

    @Option(names = "--all", description = "every job matching the filters below")
    boolean all;

    @Option(names = "--state", paramLabel = "STATE",
        description = "with --all: jobs in this state (completed, failed, cancelled); required")
    String state;

    @Option(names = "--model-version", paramLabel = "NAME=VERSION",
        description = "with --all: only jobs that ran this model version (all given must match)")
    Map<String, String> modelVersions = new LinkedHashMap<>();

    @Option(names = "--since", paramLabel = "WHEN",
        description = "with --all: jobs created at or after this (2026-11-01 or 2026-11-01T08:00:00Z)")
    String since;

    @Option(names = "--until", paramLabel = "WHEN",
        description = "with --all: jobs created before this (a date includes that whole day, UTC)")
    String until;

    @Option(names = "--rate", paramLabel = "JOBS_PER_S",
        description = "with --all: at most this many reprocess requests a second (default ${DEFAULT-VALUE})")
    double rate = 2;

    @Option(names = "--dry-run", description = "with --all: list the jobs that would be reprocessed, change nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        Stage.fromWireName(fromStage);
      } catch (IllegalArgumentException e) {
        err.println("songmap reprocess: --from: unknown stage " + fromStage);
        return CommandLine.ExitCode.USAGE;
      }
      if (all == (jobId != null)) {
        err.println("songmap reprocess: give either a JOB or --all");
        return CommandLine.ExitCode.USAGE;
      }
      try {
        if (!all) {
          JsonObject job = api.client().reprocess(jobId, fromStage, models);
          out.printf("job %s: reprocessing from %s, run %d (%s)%n", job.getString("id"), fromStage,
              job.getInteger("run", 0), job.getString("state", "?").toLowerCase(Locale.ROOT));
          out.flush();
          // Drawn from the reprocess on; the earlier runs are only folded.
          return watch ? watch(api.client(), jobId, job.getLong("version", 1L), out, err,
              JobWatch.Settings.defaults()) : OK;
        }
        BulkReprocess.Filter filter;
        try {
          filter = BulkReprocess.Filter.of(state, modelVersions, since, until);
        } catch (IllegalArgumentException e) {
          err.println("songmap reprocess: " + e.getMessage());
          return CommandLine.ExitCode.USAGE;
        }
        if (!(rate > 0) || watch) {
          err.println("songmap reprocess: --all needs a positive --rate and does not --watch");
          return CommandLine.ExitCode.USAGE;
        }
        BulkReprocess.Summary summary = new BulkReprocess(api.client(), out).run(filter, fromStage, models, rate,
            dryRun);
        return summary.refused() == 0 ? OK : API_ERROR;
      } catch (ApiClient.ApiException e) {
        return apiError(err, "reprocess", e);
      }
    }
  }

  static int watch(ApiClient client, String jobId, long drawFrom, PrintWriter out, PrintWriter err,
      JobWatch.Settings settings) throws InterruptedException {
    // On a terminal the bars are redrawn in place; piped output gets a line per change.
    boolean terminal = System.console() != null;
    JobWatch watch = new JobWatch(client, jobId, new ProgressView(out, terminal), err, settings).drawFrom(drawFrom);
    JobState end;
    try {
      end = watch.follow();
    } catch (JobWatch.WatchFailed e) {
      err.println("songmap watch: " + e.getMessage());
      return API_ERROR;
    }
    if (end.status() == JobStatus.COMPLETED) {
      return OK;
    }
    String why = end.error().map(e -> e.code() + " at " + e.stage().wireName() + ": " + e.message())
        .orElseGet(() -> end.cancelReason().map(r -> "CANCELLED: " + r).orElse(end.status().name()));
    err.printf("job %s %s: %s%n", jobId, end.status().name().toLowerCase(Locale.ROOT), why);
    err.flush();
    return JOB_FAILED;
  }

  static int apiError(PrintWriter err, String command, ApiClient.ApiException e) {
    err.println("songmap " + command + ": " + e);
    err.flush();
    return API_ERROR;
  }

  /** {@code 2026-11-01} (midnight UTC; for an upper bound, the next midnight) or an ISO instant with an offset. */
  static Instant when(String text, boolean upper, String option) {
    try {
      LocalDate day = LocalDate.parse(text);
      return (upper ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notADate) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(option + " must be a date (2026-11-01) or a time with an offset"
            + " (2026-11-01T08:00:00Z): " + text);
      }
    }
  }
}
