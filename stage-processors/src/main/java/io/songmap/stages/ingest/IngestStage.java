package io.songmap.stages.ingest;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactNotFound;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.AudioDecodeException;
import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.DecodedAudio;
import io.songmap.job.ErrorCode;
import io.songmap.stages.Stages;
import io.songmap.stages.Stages.Artifacts;
import io.songmap.stages.Stages.Failure;
import io.songmap.stages.Stages.Inputs;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The first stage: fetches the song (an upload already in the artifact store, or an http(s) URL,
 * downloaded within a size and time limit and kept as the {@code source.*} artifact), decodes it
 * with FFmpeg to 44.1 kHz stereo float and stores that as {@value #AUDIO_ARTIFACT} (32-bit float
 * WAV), the input of every later stage.
 *
 * <p>Outputs: {@value #AUDIO} (artifact key), {@value #AUDIO_SHA256}, {@value #SOURCE} (artifact key
 * of the original file), {@value #SOURCE_SHA256}, {@value #SOURCE_NAME} (file name for the Song
 * Map), {@value #SOURCE_CODEC}, {@value #DURATION_SECONDS}, {@value #SAMPLE_RATE}.
 *
 * <p>Failures: an audio file that cannot be used fails the job at once (AUDIO_CORRUPT,
 * AUDIO_UNSUPPORTED, AUDIO_TOO_LONG, INPUT_INVALID for too short; the message keeps the decoder's
 * precise reason); a missing upload or a URL answering 404 is SOURCE_NOT_FOUND.
 */
public final class IngestStage implements StageHandler {

  public static final String AUDIO = "audio";
  public static final String AUDIO_SHA256 = "audioSha256";
  public static final String SOURCE = "source";
  public static final String SOURCE_SHA256 = "sourceSha256";
  public static final String SOURCE_NAME = "sourceName";
  public static final String SOURCE_CODEC = "sourceCodec";
  public static final String DURATION_SECONDS = "durationSeconds";
  public static final String SAMPLE_RATE = "sampleRate";

  public static final String AUDIO_ARTIFACT = "audio.wav";
  public static final String INPUT_URL = "source.url";
  public static final String INPUT_OBJECT_KEY = "source.objectKey";

  private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,5}");

  private final ArtifactStore store;
  private final Stages.Settings settings;
  private final AudioDecoder decoder;
  private final Downloader downloader;

  public IngestStage(Vertx vertx, ArtifactStore store, Stages.Settings settings) {
    this.store = store;
    this.settings = settings;
    this.decoder = new AudioDecoder(settings.decodeLimits());
    this.downloader = new Downloader(vertx, settings);
  }

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    return Stages.guarded(() -> fetch(task, ctx))
        .compose(source -> decodeAndStore(task, ctx, source))
        .recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }

  /** The original file, where to find it on disk, and whether that copy is ours to delete. */
  private record Source(ArtifactKey key, Path file, String name, boolean temporary) {}

  private Future<Source> fetch(StageTask task, StageContext ctx) {
    Optional<String> objectKey = Inputs.optional(task, INPUT_OBJECT_KEY);
    if (objectKey.isPresent()) {
      ArtifactKey key = uploadKey(task, objectKey.get());
      return store.localFile(key)
          .recover(e -> Future.failedFuture(e instanceof ArtifactNotFound
              ? new Failure(ErrorCode.SOURCE_NOT_FOUND, "the uploaded file " + key + " does not exist", e)
              : new Failure(ErrorCode.STORAGE_UNAVAILABLE, "cannot read the upload " + key + ": " + e.getMessage(), e)))
          .map(path -> new Source(key, path, lastSegment(key.name()), false));
    }
    String url = Inputs.require(task, INPUT_URL);
    return downloader.download(url, ctx).compose(download -> {
      ArtifactKey key = Artifacts.output(task, sourceArtifactName(download.name()));
      return Artifacts.put(store, key, download.file())
          .map(info -> new Source(key, download.file(), download.name(), true))
          .recover(e -> ctx.executeBlocking(() -> Files.deleteIfExists(download.file()))
              .transform(v -> Future.failedFuture(e)));
    });
  }

  private Future<StageResult> decodeAndStore(StageTask task, StageContext ctx, Source source) {
    ctx.reportProgress(0.3);
    return ctx.executeBlocking(() -> decoder.decode(source.file()))
        .eventually(() -> source.temporary()
            ? ctx.executeBlocking(() -> Files.deleteIfExists(source.file()))
            : Future.succeededFuture())
        .recover(e -> Future.failedFuture(e instanceof AudioDecodeException a ? decodeFailure(a) : e))
        .compose(decoded -> {
          ctx.reportProgress(0.7);
          ArtifactKey audioKey = Artifacts.output(task, AUDIO_ARTIFACT);
          return Artifacts.putWav(store, ctx, settings.workDir(), audioKey, decoded.audio())
              .map(info -> StageResult.completed(outputs(source, decoded, info.key(), info.sha256())));
        });
  }

  private static Map<String, String> outputs(Source source, DecodedAudio decoded, ArtifactKey audioKey,
      String audioSha256) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(AUDIO, audioKey.path());
    out.put(AUDIO_SHA256, audioSha256);
    out.put(SOURCE, source.key().path());
    out.put(SOURCE_SHA256, decoded.sha256());
    out.put(SOURCE_NAME, source.name());
    out.put(SOURCE_CODEC, decoded.source().codec());
    out.put(DURATION_SECONDS, Double.toString(decoded.audio().durationSeconds()));
    out.put(SAMPLE_RATE, Integer.toString(decoded.audio().sampleRate()));
    return out;
  }

  /**
   * The decoder's reasons as job error codes. All are non-retryable; the message keeps the
   * decoder's own code and detail ({@code AUDIO_TOO_SHORT: 0.4 s of audio, ...}).
   */
  static Failure decodeFailure(AudioDecodeException e) {
    ErrorCode code = switch (e.code()) {
      case AUDIO_EMPTY, AUDIO_CORRUPT -> ErrorCode.AUDIO_CORRUPT;
      case AUDIO_UNSUPPORTED_CODEC, AUDIO_NO_STREAM -> ErrorCode.AUDIO_UNSUPPORTED;
      case AUDIO_TOO_LONG -> ErrorCode.AUDIO_TOO_LONG;
      case AUDIO_TOO_SHORT -> ErrorCode.INPUT_INVALID;
    };
    return new Failure(code, e.getMessage(), e);
  }

  /** An upload's key; it must be the task's tenant's (any of its jobs: uploads may precede the job). */
  private static ArtifactKey uploadKey(StageTask task, String value) {
    ArtifactKey key;
    try {
      key = ArtifactKey.parse(value);
    } catch (IllegalArgumentException e) {
      throw new Failure(ErrorCode.INPUT_INVALID, "source.objectKey is not an artifact key: " + e.getMessage());
    }
    if (!key.tenant().equals(task.tenant())) {
      throw new Failure(ErrorCode.INPUT_INVALID, "source.objectKey " + key + " belongs to another tenant");
    }
    return key;
  }

  private static String lastSegment(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.substring(slash + 1);
  }

  /** {@code source.<ext>} with the original's extension when it has a plain one, else {@code source}. */
  static String sourceArtifactName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot >= 0) {
      String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (EXTENSION.matcher(ext).matches()) {
        return "source." + ext;
      }
    }
    return "source";
  }
}
