package io.songmap.stages.separate;

import io.songmap.artifacts.ArtifactInfo;
import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
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
import io.songmap.stages.ingest.IngestStage;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Source separation: the decoded song is cut into {@value #SEGMENT_SAMPLES}-sample segments that
 * overlap by at least a quarter, each is sent to {@code htdemucs} through the inference client
 * (a bounded number at once, so that Triton's dynamic batcher can fill the GPU), and the answers
 * are cross-faded back together ({@link OverlapAdd}) and streamed into four 32-bit float WAV
 * stems as soon as each stretch of the song is final.
 *
 * <p>Outputs: {@code drums}, {@code bass}, {@code other}, {@code vocals} (artifact keys of
 * {@code stems/<stem>.wav}), each with {@code <stem>Sha256}; {@value #MODEL_NAME},
 * {@value #MODEL_VERSION}; {@value #SEGMENTS}.
 */
public final class SeparateStage implements StageHandler {

  public static final String MODEL = "htdemucs";
  public static final String INPUT = "mix";
  public static final String OUTPUT = "stems";
  public static final int SEGMENT_SAMPLES = 343_980;
  public static final int SAMPLE_RATE = 44_100;
  public static final int CHANNELS = 2;
  /** The model's output order. */
  public static final List<String> STEMS = List.of("drums", "bass", "other", "vocals");

  public static final String MODEL_NAME = "modelName";
  public static final String MODEL_VERSION = "modelVersion";
  public static final String SEGMENTS = "segments";

  public static final ModelContract CONTRACT = ModelContract.batched(MODEL,
      List.of(TensorContract.of(INPUT, Datatype.FP32, CHANNELS, SEGMENT_SAMPLES)),
      List.of(TensorContract.of(OUTPUT, Datatype.FP32, STEMS.size(), CHANNELS, SEGMENT_SAMPLES)));

  private final ArtifactStore store;
  private final TritonClient triton;
  private final Stages.Settings settings;

  public SeparateStage(ArtifactStore store, TritonClient triton, Stages.Settings settings) {
    this.store = store;
    this.triton = triton;
    this.settings = settings;
  }

  /** The artifact name of a stem. */
  public static String artifactName(String stem) {
    return "stems/" + stem + ".wav";
  }

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    String version = task.modelVersions().getOrDefault(MODEL, "");
    return Stages.guarded(() -> {
      ArtifactKey mixKey = Inputs.artifact(task, "ingest." + IngestStage.AUDIO);
      return triton.checkContract(List.of(new ModelContract(MODEL, version, true, CONTRACT.inputs(), CONTRACT.outputs())))
          .compose(v -> Artifacts.readWav(store, ctx, mixKey))
          .compose(mix -> {
            ctx.reportProgress(0.05);
            return new Run(task, ctx, stereo(mix, mixKey), version).start();
          });
    }).recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }

  private static float[][] stereo(PcmAudio audio, ArtifactKey key) {
    if (audio.sampleRate() != SAMPLE_RATE) {
      throw new Failure(ErrorCode.INPUT_INVALID, key + " is at " + audio.sampleRate() + " Hz, separation needs "
          + SAMPLE_RATE + " Hz");
    }
    return switch (audio.channels()) {
      case 1 -> new float[][] {audio.channel(0), audio.channel(0)};
      case 2 -> audio.samples();
      default -> throw new Failure(ErrorCode.INPUT_INVALID, key + " has " + audio.channels() + " channels, not 1 or 2");
    };
  }

  /** One separation: its segments, the requests in flight and the stem files being written. */
  private final class Run {
    private final StageTask task;
    private final StageContext ctx;
    private final float[][] mix;
    private final String version;
    private final OverlapAdd joiner;
    private final Promise<StageResult> result = Promise.promise();
    private final List<Path> files = new ArrayList<>();
    private final List<WavWriter> writers = new ArrayList<>();
    /** Writes to the stem files, one after another on the worker pool. */
    private Future<Void> writes = Future.succeededFuture();
    private int nextSegment;
    private int inFlight;
    private int done;
    private String servedVersion;

    Run(StageTask task, StageContext ctx, float[][] mix, String version) {
      this.task = task;
      this.ctx = ctx;
      this.mix = mix;
      this.version = version;
      this.joiner = new OverlapAdd(mix[0].length, SEGMENT_SAMPLES, settings.separationOverlap(), STEMS.size(), CHANNELS);
    }

    Future<StageResult> start() {
      ctx.executeBlocking(this::openWriters).onComplete(ar -> {
        if (ar.failed()) {
          fail(new Failure(ErrorCode.STORAGE_UNAVAILABLE, "cannot create the stem files: " + ar.cause().getMessage(),
              ar.cause()));
        } else {
          launch();
        }
      });
      return result.future().transform(ar -> cleanUp().transform(v -> ar.succeeded()
          ? Future.succeededFuture(ar.result())
          : Future.succeededFuture(Failure.toResult(ar.cause()))));
    }

    private Void openWriters() throws IOException {
      Files.createDirectories(settings.workDir());
      for (String stem : STEMS) {
        Path file = Files.createTempFile(settings.workDir(), "stem-" + stem + "-", ".wav");
        files.add(file);
        writers.add(WavWriter.create(file, SAMPLE_RATE, CHANNELS, WavFormat.FLOAT_32));
      }
      return null;
    }

    /**
     * Sends segments while fewer than the bound are in flight. A segment is not sent further than
     * twice the bound ahead of the first unfinished one, so a slow segment cannot make the
     * finished-but-unwritten ones pile up.
     */
    private void launch() {
      int window = 2 * settings.segmentsInFlight();
      while (!result.future().isComplete() && inFlight < settings.segmentsInFlight()
          && nextSegment < joiner.segmentCount() && nextSegment < done + window) {
        if (ctx.isAbandoned()) {
          fail(new Failure(ErrorCode.TIMEOUT, "separation was abandoned after " + done + " of "
              + joiner.segmentCount() + " segments"));
          return;
        }
        int k = nextSegment++;
        inFlight++;
        ctx.executeBlocking(() -> joiner.input(mix, k))
            .compose(input -> triton.infer(request(k, input)))
            .onComplete(ar -> {
              inFlight--;
              if (ar.failed()) {
                fail(ar.cause());
              } else {
                accept(k, ar.result());
              }
            });
      }
    }

    private InferRequest request(int k, float[] input) {
      return InferRequest.of(MODEL, Tensor.fp32(INPUT, new long[] {1, CHANNELS, SEGMENT_SAMPLES}, input))
          .withVersion(version)
          .withPriority(Stages.tritonPriority(task))
          .withOutputs(OUTPUT)
          .withId(task.jobId() + "/separate/" + k)
          .withDeadline(settings.inferenceDeadline());
    }

    private void accept(int k, InferResult answer) {
      if (result.future().isComplete()) {
        return;
      }
      if (servedVersion == null) {
        servedVersion = answer.version();
      }
      Tensor stems = answer.output(OUTPUT);
      writes = writes.compose(v -> ctx.executeBlocking(() -> {
        joiner.add(k, stems.floats());
        float[][][] ready = joiner.drainReady();
        for (int s = 0; s < STEMS.size(); s++) {
          writers.get(s).write(ready[s], 0, ready[s][0].length);
        }
        return null;
      }));
      writes.onComplete(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
          return;
        }
        done++;
        ctx.reportProgress(0.05 + 0.85 * done / joiner.segmentCount());
        if (done == joiner.segmentCount()) {
          finish();
        } else {
          launch();
        }
      });
    }

    private void finish() {
      ctx.executeBlocking(() -> {
        for (WavWriter w : writers) {
          w.close();
        }
        writers.clear();
        return null;
      }).compose(v -> {
        List<Future<ArtifactInfo>> puts = new ArrayList<>();
        for (int s = 0; s < STEMS.size(); s++) {
          puts.add(Artifacts.put(store, Artifacts.output(task, artifactName(STEMS.get(s))),
              files.get(s)));
        }
        return Future.all(puts).map(all -> {
          Map<String, String> outputs = new LinkedHashMap<>();
          for (int s = 0; s < STEMS.size(); s++) {
            ArtifactInfo info = all.resultAt(s);
            outputs.put(STEMS.get(s), info.key().path());
            outputs.put(STEMS.get(s) + "Sha256", info.sha256());
          }
          ModelRef model = new ModelRef(MODEL, modelVersion());
          outputs.put(MODEL_NAME, model.name());
          outputs.put(MODEL_VERSION, model.version());
          outputs.put(SEGMENTS, Integer.toString(joiner.segmentCount()));
          return StageResult.completed(outputs, model);
        });
      }).onComplete(ar -> {
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else {
          fail(ar.cause());
        }
      });
    }

    private String modelVersion() {
      if (servedVersion != null && !servedVersion.isBlank()) {
        return servedVersion;
      }
      return version.isBlank() ? "latest" : version;
    }

    private void fail(Throwable e) {
      result.tryFail(e);
    }

    /** Closes and deletes the temporary stem files once nothing writes to them any more. */
    private Future<Void> cleanUp() {
      return writes.transform(ignored -> ctx.executeBlocking(() -> {
        for (WavWriter w : writers) {
          try {
            w.close();
          } catch (IOException e) {
            // the file is deleted next
          }
        }
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
        return null;
      })).mapEmpty();
    }
  }
}
