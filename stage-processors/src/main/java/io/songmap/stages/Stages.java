package io.songmap.stages;

import io.songmap.artifacts.ArtifactInfo;
import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactNotFound;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.DecodeLimits;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavReader;
import io.songmap.audio.wav.WavWriter;
import io.songmap.inference.triton.ContractViolationException;
import io.songmap.inference.triton.InferenceException;
import io.songmap.inference.triton.TritonClient;
import io.songmap.job.ErrorCode;
import io.songmap.job.stage.Stage;
import io.songmap.stages.drums.DrumsStage;
import io.songmap.stages.ingest.IngestStage;
import io.songmap.stages.lyrics.LyricsStage;
import io.songmap.stages.melodybass.MelodyBassStage;
import io.songmap.stages.packaging.PackageStage;
import io.songmap.stages.runtime.EnvValues;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.songmap.stages.separate.SeparateStage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Builds the six stage handlers from what they share: the Vert.x instance, the artifact store, the
 * inference client and the {@link Settings}.
 *
 * <pre>{@code
 * Map<Stage, StageHandler> handlers = Stages.create(vertx, store, triton, Stages.Settings.fromEnv(EnvValues.system()));
 * }</pre>
 */
public final class Stages {

  private Stages() {}

  /** One handler per stage, in the order of {@link Stage}. */
  public static Map<Stage, StageHandler> create(Vertx vertx, ArtifactStore store, TritonClient triton, Settings settings) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(triton, "triton");
    Objects.requireNonNull(settings, "settings");
    Map<Stage, StageHandler> handlers = new EnumMap<>(Stage.class);
    handlers.put(Stage.INGEST, new IngestStage(vertx, store, settings));
    handlers.put(Stage.SEPARATE, new SeparateStage(store, triton, settings));
    handlers.put(Stage.DRUMS, new DrumsStage(store, triton, settings));
    handlers.put(Stage.MELODY_BASS, new MelodyBassStage(store, triton, settings));
    handlers.put(Stage.LYRICS, new LyricsStage(store, triton, settings));
    handlers.put(Stage.PACKAGE, new PackageStage(store, settings));
    return handlers;
  }

  /**
   * Settings of the stages, parsed once at start.
   *
   * @param decodeLimits shortest and longest audio accepted ({@code SONGMAP_AUDIO_MIN_DURATION},
   *     {@code SONGMAP_AUDIO_MAX_DURATION})
   * @param downloadMaxBytes largest source file a URL may deliver ({@code SONGMAP_DOWNLOAD_MAX_BYTES})
   * @param downloadTimeout the longest a whole download may take ({@code SONGMAP_DOWNLOAD_TIMEOUT})
   * @param downloadConnectTimeout connecting to the source host ({@code SONGMAP_DOWNLOAD_CONNECT_TIMEOUT})
   * @param separationOverlap share of a segment that overlaps the next one, at least 0.25
   *     ({@code SONGMAP_SEPARATION_OVERLAP})
   * @param segmentsInFlight separation segments sent to the inference server at once
   *     ({@code SONGMAP_SEPARATION_IN_FLIGHT})
   * @param inferenceBatchesInFlight drum and note batches sent at once ({@code SONGMAP_INFERENCE_IN_FLIGHT})
   * @param inferenceDeadline the deadline of one inference call, retries included ({@code SONGMAP_INFERENCE_DEADLINE})
   * @param drumBatchSize onsets per {@code drum_cnn} request, at most 64 ({@code SONGMAP_DRUM_BATCH})
   * @param noteBatchSize windows per {@code basic_pitch} request, at most 16 ({@code SONGMAP_NOTE_BATCH})
   * @param drumBandCheck whether the drums stage checks each onset's 9–14 kHz and 20–120 Hz bands after the CNN
   *     (see {@code BandCheck}; {@code SONGMAP_DRUM_BAND_CHECK}, default true)
   * @param pdfEnabled whether to engrave a PDF when MuseScore is installed ({@code SONGMAP_PDF})
   * @param pdfTimeout how long MuseScore may take ({@code SONGMAP_PDF_TIMEOUT})
   * @param workDir where stages keep temporary files ({@code SONGMAP_STAGE_WORK_DIR})
   */
  public record Settings(DecodeLimits decodeLimits, long downloadMaxBytes, Duration downloadTimeout,
      Duration downloadConnectTimeout, double separationOverlap, int segmentsInFlight, int inferenceBatchesInFlight,
      Duration inferenceDeadline, int drumBatchSize, int noteBatchSize, boolean drumBandCheck, boolean pdfEnabled,
      Duration pdfTimeout, Path workDir) {

    public Settings {
      Objects.requireNonNull(decodeLimits, "decodeLimits");
      Objects.requireNonNull(downloadTimeout, "downloadTimeout");
      Objects.requireNonNull(downloadConnectTimeout, "downloadConnectTimeout");
      Objects.requireNonNull(inferenceDeadline, "inferenceDeadline");
      Objects.requireNonNull(pdfTimeout, "pdfTimeout");
      Objects.requireNonNull(workDir, "workDir");
      if (downloadMaxBytes < 1) {
        throw new IllegalArgumentException("downloadMaxBytes must be positive: " + downloadMaxBytes);
      }
      requirePositive("downloadTimeout", downloadTimeout);
      requirePositive("downloadConnectTimeout", downloadConnectTimeout);
      requirePositive("inferenceDeadline", inferenceDeadline);
      requirePositive("pdfTimeout", pdfTimeout);
      if (downloadConnectTimeout.compareTo(downloadTimeout) > 0) {
        throw new IllegalArgumentException("downloadConnectTimeout " + downloadConnectTimeout
            + " exceeds downloadTimeout " + downloadTimeout);
      }
      if (!(separationOverlap >= 0.25 && separationOverlap <= 0.75)) {
        throw new IllegalArgumentException("separationOverlap must be in 0.25..0.75: " + separationOverlap);
      }
      if (segmentsInFlight < 1 || inferenceBatchesInFlight < 1) {
        throw new IllegalArgumentException("requests in flight must be at least 1");
      }
      if (drumBatchSize < 1 || drumBatchSize > 64) {
        throw new IllegalArgumentException("drumBatchSize must be in 1..64 (drum_cnn max_batch_size): " + drumBatchSize);
      }
      if (noteBatchSize < 1 || noteBatchSize > 16) {
        throw new IllegalArgumentException("noteBatchSize must be in 1..16 (basic_pitch max_batch_size): " + noteBatchSize);
      }
    }

    public static Settings defaults() {
      return new Settings(DecodeLimits.DEFAULT, 200L * 1024 * 1024, Duration.ofMinutes(2), Duration.ofSeconds(10),
          0.25, 4, 4, Duration.ofMinutes(2), 64, 16, true, true, Duration.ofMinutes(2),
          Path.of(System.getProperty("java.io.tmpdir"), "songmap-stages-" + System.getProperty("user.name")));
    }

    public static Settings fromEnv(EnvValues env) {
      Settings d = defaults();
      DecodeLimits limits = new DecodeLimits(
          env.duration("SONGMAP_AUDIO_MIN_DURATION", d.decodeLimits().minDuration()),
          env.duration("SONGMAP_AUDIO_MAX_DURATION", d.decodeLimits().maxDuration()));
      return new Settings(limits,
          number(env, "SONGMAP_DOWNLOAD_MAX_BYTES", d.downloadMaxBytes()).longValue(),
          env.duration("SONGMAP_DOWNLOAD_TIMEOUT", d.downloadTimeout()),
          env.duration("SONGMAP_DOWNLOAD_CONNECT_TIMEOUT", d.downloadConnectTimeout()),
          number(env, "SONGMAP_SEPARATION_OVERLAP", d.separationOverlap()).doubleValue(),
          env.integer("SONGMAP_SEPARATION_IN_FLIGHT", d.segmentsInFlight()),
          env.integer("SONGMAP_INFERENCE_IN_FLIGHT", d.inferenceBatchesInFlight()),
          env.duration("SONGMAP_INFERENCE_DEADLINE", d.inferenceDeadline()),
          env.integer("SONGMAP_DRUM_BATCH", d.drumBatchSize()),
          env.integer("SONGMAP_NOTE_BATCH", d.noteBatchSize()),
          Boolean.parseBoolean(env.string("SONGMAP_DRUM_BAND_CHECK", Boolean.toString(d.drumBandCheck()))),
          Boolean.parseBoolean(env.string("SONGMAP_PDF", Boolean.toString(d.pdfEnabled()))),
          env.duration("SONGMAP_PDF_TIMEOUT", d.pdfTimeout()),
          Path.of(env.string("SONGMAP_STAGE_WORK_DIR", d.workDir().toString())));
    }

    private static Number number(EnvValues env, String name, Number fallback) {
      String value = env.string(name, null);
      if (value == null) {
        return fallback;
      }
      try {
        return fallback instanceof Long ? (Number) Long.parseLong(value) : (Number) Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a number, was '" + value + "'");
      }
    }

    public Settings withWorkDir(Path dir) {
      return new Settings(decodeLimits, downloadMaxBytes, downloadTimeout, downloadConnectTimeout, separationOverlap,
          segmentsInFlight, inferenceBatchesInFlight, inferenceDeadline, drumBatchSize, noteBatchSize, drumBandCheck,
          pdfEnabled, pdfTimeout, dir);
    }

    public Settings withDownloadLimits(long maxBytes, Duration timeout) {
      return new Settings(decodeLimits, maxBytes, timeout, downloadConnectTimeout.compareTo(timeout) > 0 ? timeout
          : downloadConnectTimeout, separationOverlap, segmentsInFlight, inferenceBatchesInFlight, inferenceDeadline,
          drumBatchSize, noteBatchSize, drumBandCheck, pdfEnabled, pdfTimeout, workDir);
    }

    public Settings withDrumBandCheck(boolean enabled) {
      return new Settings(decodeLimits, downloadMaxBytes, downloadTimeout, downloadConnectTimeout, separationOverlap,
          segmentsInFlight, inferenceBatchesInFlight, inferenceDeadline, drumBatchSize, noteBatchSize, enabled,
          pdfEnabled, pdfTimeout, workDir);
    }

    public Settings withPdf(boolean enabled) {
      return new Settings(decodeLimits, downloadMaxBytes, downloadTimeout, downloadConnectTimeout, separationOverlap,
          segmentsInFlight, inferenceBatchesInFlight, inferenceDeadline, drumBatchSize, noteBatchSize, drumBandCheck,
          enabled, pdfTimeout, workDir);
    }

    private static void requirePositive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }

  /**
   * A stage failure with its code, thrown inside a handler's chain and turned into {@link
   * StageResult.Failed} at its end by {@link #toResult}.
   */
  public static final class Failure extends RuntimeException {
    private final ErrorCode code;

    public Failure(ErrorCode code, String message) {
      this(code, message, null);
    }

    public Failure(ErrorCode code, String message, Throwable cause) {
      super(message, cause);
      this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
      return code;
    }

    /**
     * The result for an error that ended a handler's chain: the stages' own failures keep their
     * code; inference, storage and I/O errors get theirs here, in one place.
     */
    public static StageResult toResult(Throwable error) {
      Failure f = classify(error);
      return StageResult.failed(f.code(), f.getMessage());
    }

    static Failure classify(Throwable error) {
      if (error instanceof Failure f) {
        return f;
      }
      if (error instanceof ContractViolationException e) {
        return new Failure(ErrorCode.MODEL_UNAVAILABLE, e.getMessage(), e);
      }
      if (error instanceof InferenceException e) {
        ErrorCode code = switch (e.code()) {
          case UNAVAILABLE, FAILED_PRECONDITION, NOT_FOUND, RESOURCE_EXHAUSTED -> ErrorCode.MODEL_UNAVAILABLE;
          case DEADLINE_EXCEEDED -> ErrorCode.TIMEOUT;
          default -> ErrorCode.INFERENCE_FAILED;
        };
        return new Failure(code, e.getMessage(), e);
      }
      if (error instanceof ArtifactNotFound e) {
        return new Failure(ErrorCode.INPUT_INVALID, "an input artifact is missing: " + e.getMessage(), e);
      }
      if (error instanceof IOException || error instanceof java.io.UncheckedIOException) {
        return new Failure(ErrorCode.STORAGE_UNAVAILABLE, "artifact I/O failed: " + error.getMessage(), error);
      }
      String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
      return new Failure(ErrorCode.INTERNAL, message, error);
    }
  }

  /** Reading a task's inputs: artifact keys and numbers left by upstream stages. */
  public static final class Inputs {
    private Inputs() {}

    /** The input {@code name}; fails with INPUT_INVALID when an upstream stage did not provide it. */
    public static String require(StageTask task, String name) {
      String value = task.inputs().get(name);
      if (value == null || value.isBlank()) {
        throw new Failure(ErrorCode.INPUT_INVALID, "the " + task.stage().wireName() + " stage needs input '" + name
            + "', which the task does not carry (inputs: " + task.inputs().keySet() + ")");
      }
      return value;
    }

    public static Optional<String> optional(StageTask task, String name) {
      return Optional.ofNullable(task.inputs().get(name)).filter(s -> !s.isBlank());
    }

    /** An artifact key input, which must belong to the task's own tenant and job. */
    public static ArtifactKey artifact(StageTask task, String name) {
      String value = require(task, name);
      ArtifactKey key;
      try {
        key = ArtifactKey.parse(value);
      } catch (IllegalArgumentException e) {
        throw new Failure(ErrorCode.INPUT_INVALID, "input '" + name + "' is not an artifact key: " + e.getMessage());
      }
      if (!key.tenant().equals(task.tenant()) || !key.jobId().equals(task.jobId())) {
        throw new Failure(ErrorCode.INPUT_INVALID, "input '" + name + "' refers to another job's artifact: " + key);
      }
      return key;
    }

    public static double number(StageTask task, String name) {
      String value = require(task, name);
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new Failure(ErrorCode.INPUT_INVALID, "input '" + name + "' is not a number: '" + value + "'");
      }
    }
  }

  /**
   * Artifact reads and writes as the stages do them: store errors become STORAGE_UNAVAILABLE (a
   * missing input INPUT_INVALID), files are written on the stage's worker pool into the work
   * directory and removed once stored.
   */
  public static final class Artifacts {
    private Artifacts() {}

    /**
     * Where a stage of {@code task} stores its output {@code name}: under the name itself in run 1 and
     * under {@code runs/<run>/<name>} in later runs, so that reprocessing a job leaves the artifacts of
     * earlier runs, which their events and exports still name, as they were.
     */
    public static ArtifactKey output(StageTask task, String name) {
      return new ArtifactKey(task.tenant(), task.jobId(), outputName(task.run(), name));
    }

    /** The artifact name of output {@code name} in run {@code run}; see {@link #output}. */
    public static String outputName(int run, String name) {
      if (run < 1) {
        throw new IllegalArgumentException("runs count from 1: " + run);
      }
      return run == 1 ? name : "runs/" + run + "/" + name;
    }

    /** Audio stored as a WAV artifact, read whole. */
    public static Future<PcmAudio> readWav(ArtifactStore store, StageContext ctx, ArtifactKey key) {
      return storage(store.localFile(key), key).compose(path -> ctx.executeBlocking(() -> WavReader.read(path)));
    }

    /** Stores {@code audio} as a 32-bit float WAV. */
    public static Future<ArtifactInfo> putWav(ArtifactStore store, StageContext ctx, Path workDir, ArtifactKey key,
        PcmAudio audio) {
      return putFile(store, ctx, workDir, key, file -> WavWriter.write(file, audio, WavFormat.FLOAT_32));
    }

    /** Writes a temporary file with {@code writer} on the worker pool, stores it and deletes it. */
    public static Future<ArtifactInfo> putFile(ArtifactStore store, StageContext ctx, Path workDir, ArtifactKey key,
        FileWriter writer) {
      return ctx.executeBlocking(() -> {
        Files.createDirectories(workDir);
        Path file = Files.createTempFile(workDir, "artifact-", ".tmp");
        try {
          writer.write(file);
        } catch (IOException | RuntimeException e) {
          Files.deleteIfExists(file);
          throw e;
        }
        return file;
      }).recover(e -> Future.failedFuture(new Failure(ErrorCode.STORAGE_UNAVAILABLE,
          "cannot write a temporary file for " + key.name() + ": " + e.getMessage(), e)))
          .compose(file -> storage(store.put(key, file), key)
              .eventually(() -> ctx.executeBlocking(() -> Files.deleteIfExists(file))));
    }

    /** Stores a file already on disk; the caller owns it. */
    public static Future<ArtifactInfo> put(ArtifactStore store, ArtifactKey key, Path file) {
      return storage(store.put(key, file), key);
    }

    public static Future<ArtifactInfo> putBytes(ArtifactStore store, ArtifactKey key, byte[] bytes) {
      return storage(store.put(key, Buffer.buffer(bytes)), key);
    }

    public static Future<ArtifactInfo> putJson(ArtifactStore store, ArtifactKey key, JsonObject json) {
      return storage(store.put(key, json.toBuffer()), key);
    }

    public static Future<JsonObject> readJson(ArtifactStore store, ArtifactKey key) {
      return storage(store.read(key), key).compose(buffer -> {
        try {
          return Future.succeededFuture(buffer.toJsonObject());
        } catch (RuntimeException e) {
          return Future.failedFuture(new Failure(ErrorCode.INPUT_INVALID,
              "artifact " + key + " is not a JSON object: " + e.getMessage(), e));
        }
      });
    }

    /** {@code future} with its failure named as a storage failure of {@code key}. */
    public static <T> Future<T> storage(Future<T> future, ArtifactKey key) {
      return future.recover(e -> Future.failedFuture(e instanceof ArtifactNotFound
          ? new Failure(ErrorCode.INPUT_INVALID, "artifact " + key + " does not exist", e)
          : e instanceof Failure ? e
          : new Failure(ErrorCode.STORAGE_UNAVAILABLE, "artifact store failed on " + key + ": " + e.getMessage(), e)));
    }

    /** Writes a file's content. */
    @FunctionalInterface
    public interface FileWriter {
      void write(Path file) throws IOException;
    }
  }

  /**
   * Runs {@code count} tasks with at most {@code maxInFlight} running at once and collects their
   * results in task order; the first failure fails the whole and starts no further task. Call on
   * a Vert.x context: completions come back on it, so the bookkeeping needs no locks.
   *
   * @param onEachDone called with the number of finished tasks after each one
   */
  public static <T> Future<List<T>> bounded(int count, int maxInFlight, IntFunction<Future<T>> task,
      IntConsumer onEachDone) {
    if (count == 0) {
      return Future.succeededFuture(List.of());
    }
    Promise<List<T>> all = Promise.promise();
    List<T> results = new ArrayList<>(Collections.nCopies(count, null));
    int[] next = {0};
    int[] done = {0};
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (next[0] < count && next[0] - done[0] < maxInFlight && !all.future().isComplete()) {
        int i = next[0]++;
        guarded(() -> task.apply(i)).onComplete(ar -> {
          if (ar.failed()) {
            all.tryFail(ar.cause());
            return;
          }
          results.set(i, ar.result());
          done[0]++;
          onEachDone.accept(done[0]);
          if (done[0] == count) {
            all.tryComplete(results);
          } else {
            launch[0].run();
          }
        });
      }
    };
    launch[0].run();
    return all.future();
  }

  /**
   * The Triton request priority for a job: the models that batch with priority levels
   * ({@code htdemucs}, {@code drum_cnn}, {@code basic_pitch}: {@code priority_levels: 2}) serve
   * level 1 first; a job submitted with a positive priority gets it, every other request the
   * model's default (0 on the wire).
   */
  public static long tritonPriority(StageTask task) {
    return task.priority() > 0 ? 1 : 0;
  }

  /** Runs {@code body}, turning whatever it throws synchronously into a failed Future. */
  public static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
