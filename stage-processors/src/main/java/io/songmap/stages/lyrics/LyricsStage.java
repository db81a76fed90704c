package io.songmap.stages.lyrics;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.songmap.SongMap;
import io.songmap.inference.triton.ContractViolationException;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferResult;
import io.songmap.inference.triton.ModelContract;
import io.songmap.inference.triton.ModelContract.TensorContract;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.job.ErrorCode;
import io.songmap.job.ModelRef;
import io.songmap.stages.Stages;
import io.songmap.stages.Stages.Artifacts;
import io.songmap.stages.Stages.Failure;
import io.songmap.stages.Stages.Inputs;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.songmap.stages.separate.SeparateStage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timed lyrics from the vocals stem through the {@code whisper} contract of the Triton model
 * repository: input {@code audio} FP32 [1, n] of 16 kHz mono, at most 30 s; output {@code text}
 * BYTES [1, 1], one UTF-8 JSON document {@code {"text": ..., "words": [{"start", "end", "text"}]}}
 * with times from the start of the window.
 *
 * <p>When the server reports {@code whisper} not ready (the CPU inference server always does: it
 * has no ASR model and says so rather than invent lyrics), the stage is <b>skipped</b> with the
 * server's reason and the job completes without lyrics. The reason is also stored as
 * {@value #ARTIFACT} ({@code {"status": "skipped", "reason": ...}}), because a skipped stage has
 * no outputs and the package stage still owes the Song Map a reason.
 *
 * <p>The transcription path below is written against that contract but has only run against a
 * server that declares it NOT READY: there is no Whisper on CPU here, so it has never produced
 * words in a test. It is the code a GPU deployment with Triton's whisper model exercises.
 *
 * <p>Outputs when transcribed: {@value #WORDS} (artifact key of {@value #ARTIFACT}),
 * {@value #WORD_COUNT}, {@code modelName}, {@code modelVersion}.
 */
public final class LyricsStage implements StageHandler {

  public static final String MODEL = "whisper";
  public static final String INPUT = "audio";
  public static final String OUTPUT = "text";
  public static final String ARTIFACT = "lyrics.json";

  public static final String WORDS = "words";
  public static final String WORD_COUNT = "wordCount";

  public static final ModelContract CONTRACT = ModelContract.batched(MODEL,
      List.of(TensorContract.of(INPUT, Datatype.FP32, -1)),
      List.of(TensorContract.of(OUTPUT, Datatype.BYTES, 1)));

  private final ArtifactStore store;
  private final TritonClient triton;
  private final Stages.Settings settings;

  public LyricsStage(ArtifactStore store, TritonClient triton, Stages.Settings settings) {
    this.store = store;
    this.triton = triton;
    this.settings = settings;
  }

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    String version = task.modelVersions().getOrDefault(MODEL, "");
    ArtifactKey artifact = Artifacts.output(task, ARTIFACT);
    return Stages.guarded(() -> {
      ArtifactKey vocalsKey = Inputs.artifact(task, "separate.vocals");
      return triton.modelReady(MODEL, version).compose(ready -> ready
          ? triton.checkContract(List.of(new ModelContract(MODEL, version, true, CONTRACT.inputs(), CONTRACT.outputs())))
              .compose(v -> transcribe(task, ctx, vocalsKey, version, artifact))
          : skip(artifact, version));
    }).recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }

  /** Asks the server why the model is not ready, records the reason and skips. */
  private Future<StageResult> skip(ArtifactKey artifact, String version) {
    return triton.checkContract(List.of(new ModelContract(MODEL, version, true, CONTRACT.inputs(), CONTRACT.outputs())))
        .transform(ar -> {
          String reason;
          if (ar.succeeded()) {
            reason = MODEL + " was not ready when the lyrics stage asked";
          } else if (ar.cause() instanceof ContractViolationException e && !e.mismatches().isEmpty()) {
            reason = MODEL + " " + String.join("; ", e.mismatches());
          } else {
            return Future.failedFuture(ar.cause());
          }
          JsonObject json = new JsonObject().put("status", "skipped").put("reason", reason);
          return Artifacts.putJson(store, artifact, json).map(info -> StageResult.skipped(reason));
        });
  }

  private Future<StageResult> transcribe(StageTask task, StageContext ctx, ArtifactKey vocalsKey, String version,
      ArtifactKey artifact) {
    return Artifacts.readWav(store, ctx, vocalsKey)
        .compose(vocals -> ctx.executeBlocking(() -> LyricsWindows.split(vocals.toMono(LyricsWindows.SAMPLE_RATE))))
        .compose(windows -> {
          ctx.reportProgress(0.1);
          String[] servedVersion = {null};
          return Stages.bounded(windows.size(), settings.inferenceBatchesInFlight(), i -> {
            LyricsWindows.Window window = windows.get(i);
            return triton.infer(InferRequest.of(MODEL,
                    Tensor.fp32(INPUT, new long[] {1, window.samples().length}, window.samples()))
                .withVersion(version)
                .withOutputs(OUTPUT)
                .withId(task.jobId() + "/lyrics/" + i)
                .withDeadline(settings.inferenceDeadline()))
                .map(result -> {
                  servedVersion[0] = result.version();
                  return words(result, window.startSeconds());
                });
          }, done -> ctx.reportProgress(0.1 + 0.8 * done / windows.size())).compose(perWindow -> {
            List<SongMap.Word> words = new ArrayList<>();
            perWindow.forEach(words::addAll);
            ModelRef model = new ModelRef(MODEL, servedVersion[0] != null && !servedVersion[0].isBlank()
                ? servedVersion[0] : version.isBlank() ? "latest" : version);
            return Artifacts.putJson(store, artifact, LyricsJson.transcribed(words, model)).map(info -> {
              Map<String, String> outputs = new LinkedHashMap<>();
              outputs.put(WORDS, info.key().path());
              outputs.put(WORD_COUNT, Integer.toString(words.size()));
              outputs.put(SeparateStage.MODEL_NAME, model.name());
              outputs.put(SeparateStage.MODEL_VERSION, model.version());
              return StageResult.completed(outputs, model);
            });
          });
        });
  }

  /** The words of one window's answer, moved to song time. */
  static List<SongMap.Word> words(InferResult result, double offsetSeconds) {
    List<String> documents = result.output(OUTPUT).toStrings();
    if (documents.size() != 1) {
      throw new Failure(ErrorCode.INFERENCE_FAILED, MODEL + " returned " + documents.size() + " texts for one window");
    }
    JsonObject doc;
    try {
      doc = new JsonObject(documents.get(0));
    } catch (RuntimeException e) {
      throw new Failure(ErrorCode.INFERENCE_FAILED, MODEL + " returned text that is not JSON: " + e.getMessage(), e);
    }
    List<SongMap.Word> words = new ArrayList<>();
    if (doc.getJsonArray("words") == null) {
      return words;
    }
    for (Object o : doc.getJsonArray("words")) {
      if (!(o instanceof JsonObject w) || w.getString("text") == null || w.getString("text").isBlank()) {
        continue;
      }
      double start = Math.max(0, offsetSeconds + w.getDouble("start", 0.0));
      double end = Math.max(start, offsetSeconds + w.getDouble("end", 0.0));
      words.add(new SongMap.Word(start, end, w.getString("text").strip()));
    }
    return words;
  }
}
