package io.songmap.stages.drums;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.drums.AnnoteatorFeature;
import io.songmap.audio.drums.DrumCnnOutput;
import io.songmap.audio.dsp.BeatTrack;
import io.songmap.audio.dsp.BeatTracker;
import io.songmap.audio.dsp.Onset;
import io.songmap.audio.dsp.OnsetDetector;
import io.songmap.audio.dsp.OnsetEnvelope;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferResult;
import io.songmap.inference.triton.ModelContract;
import io.songmap.inference.triton.ModelContract.TensorContract;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
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
import io.songmap.stages.separate.SeparateStage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drum transcription, tempo and beats from the drum stem: onsets (spectral flux), the AnNOTEator
 * input around each onset at the song's tempo, {@code drum_cnn} in batches through the inference
 * client, decoded as the reference does (every class above 0.5, else the most likely one). Tempo
 * and beats come from the same onset envelope; when the drum stem has no pulse (no drums) the mix
 * is tracked instead.
 *
 * <p>Outputs: {@value #HITS} (artifact key of {@value #ARTIFACT}, see {@link DrumsJson}),
 * {@value #BPM}, {@value #HIT_COUNT}, {@value #BEAT_COUNT}, {@code modelName}, {@code modelVersion}.
 */
public final class DrumsStage implements StageHandler {

  public static final String MODEL = "drum_cnn";
  public static final String INPUT = "conv2d_input";
  public static final String OUTPUT = "dense_2";
  public static final String ARTIFACT = "drums.json";

  public static final String HITS = "hits";
  public static final String BPM = "bpm";
  public static final String HIT_COUNT = "hitCount";
  public static final String BEAT_COUNT = "beatCount";

  /** The tempo the clip lengths assume when neither the drums nor the mix have a pulse. */
  static final double NOMINAL_BPM = 120;

  public static final ModelContract CONTRACT = ModelContract.batched(MODEL,
      List.of(TensorContract.of(INPUT, Datatype.FP32, AnnoteatorFeature.MEL_BANDS, AnnoteatorFeature.FRAMES, 1)),
      List.of(TensorContract.of(OUTPUT, Datatype.FP32, DrumCnnOutput.CLASSES)));

  private final ArtifactStore store;
  private final TritonClient triton;
  private final Stages.Settings settings;
  private final OnsetDetector onsetDetector = new OnsetDetector();
  private final BeatTracker beatTracker = new BeatTracker();

  public DrumsStage(ArtifactStore store, TritonClient triton, Stages.Settings settings) {
    this.store = store;
    this.triton = triton;
    this.settings = settings;
  }

  /** What the DSP found in the drum stem, before the model. */
  private record Analysis(float[] mono, int sampleRate, Velocity velocity, List<Onset> onsets, BeatTrack beats,
      String beatSource) {

    Analysis withBeats(BeatTrack track, String source) {
      return new Analysis(mono, sampleRate, velocity, onsets, track, source);
    }
  }

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    String version = task.modelVersions().getOrDefault(MODEL, "");
    return Stages.guarded(() -> {
      ArtifactKey stemKey = Inputs.artifact(task, "separate.drums");
      ArtifactKey mixKey = Inputs.artifact(task, "ingest." + IngestStage.AUDIO);
      return triton.checkContract(List.of(new ModelContract(MODEL, version, true, CONTRACT.inputs(), CONTRACT.outputs())))
          .compose(v -> Artifacts.readWav(store, ctx, stemKey))
          .compose(stem -> ctx.executeBlocking(() -> analyse(stem)))
          .compose(analysis -> analysis.beats().bpm() > 0
              ? Future.succeededFuture(analysis)
              : Artifacts.readWav(store, ctx, mixKey).compose(mix -> ctx.executeBlocking(() -> withMixBeats(analysis, mix))))
          .compose(analysis -> {
            ctx.reportProgress(0.2);
            return transcribe(task, ctx, analysis, version);
          });
    }).recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }

  private Analysis analyse(PcmAudio stem) {
    float[] mono = stem.mixToMono();
    OnsetEnvelope envelope = OnsetEnvelope.of(mono, stem.sampleRate());
    return new Analysis(mono, stem.sampleRate(), new Velocity(mono, stem.sampleRate()), onsetDetector.detect(envelope),
        beatTracker.track(envelope), "drums");
  }

  private Analysis withMixBeats(Analysis analysis, PcmAudio mix) {
    BeatTrack beats = beatTracker.track(mix.mixToMono(), mix.sampleRate());
    return beats.bpm() > 0 ? analysis.withBeats(beats, "mix") : analysis.withBeats(BeatTrack.NONE, "none");
  }

  private Future<StageResult> transcribe(StageTask task, StageContext ctx, Analysis analysis, String version) {
    double bpm = analysis.beats().bpm() > 0 ? analysis.beats().bpm() : NOMINAL_BPM;
    List<Onset> onsets = analysis.onsets();
    // Features are computed per batch on the worker pool: a song with few onsets is still cut into
    // several batches so that they are computed in parallel (the server's batcher joins them again).
    int spread = (onsets.size() + settings.inferenceBatchesInFlight() - 1) / settings.inferenceBatchesInFlight();
    int batchSize = Math.min(settings.drumBatchSize(), Math.max(8, spread));
    int batches = (onsets.size() + batchSize - 1) / batchSize;
    String[] servedVersion = {null};
    return Stages.bounded(batches, settings.inferenceBatchesInFlight(), b -> {
      int from = b * batchSize;
      int to = Math.min(onsets.size(), from + batchSize);
      return ctx.executeBlocking(() -> features(analysis, onsets.subList(from, to), bpm))
          .compose(input -> triton.infer(InferRequest.of(MODEL,
                  Tensor.fp32(INPUT, new long[] {to - from, AnnoteatorFeature.MEL_BANDS, AnnoteatorFeature.FRAMES, 1}, input))
              .withVersion(version)
              .withPriority(Stages.tritonPriority(task))
              .withOutputs(OUTPUT)
              .withId(task.jobId() + "/drums/" + b)
              .withDeadline(settings.inferenceDeadline())))
          .map(result -> {
            servedVersion[0] = result.version();
            return hits(analysis, onsets.subList(from, to), result);
          });
    }, done -> ctx.reportProgress(0.2 + 0.7 * done / batches)).compose(perBatch -> {
      List<DrumHit> hits = new ArrayList<>();
      perBatch.forEach(hits::addAll);
      ModelRef model = new ModelRef(MODEL, servedVersion[0] != null && !servedVersion[0].isBlank() ? servedVersion[0]
          : version.isBlank() ? "latest" : version);
      DrumsJson.Tempo tempo = new DrumsJson.Tempo(bpm, analysis.beats().beats(), analysis.beatSource());
      ArtifactKey key = Artifacts.output(task, ARTIFACT);
      return Artifacts.putJson(store, key, DrumsJson.write(tempo, hits, model)).map(info -> {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(HITS, info.key().path());
        outputs.put(BPM, Double.toString(bpm));
        outputs.put(HIT_COUNT, Integer.toString(hits.size()));
        outputs.put(BEAT_COUNT, Integer.toString(analysis.beats().beats().length));
        outputs.put(SeparateStage.MODEL_NAME, model.name());
        outputs.put(SeparateStage.MODEL_VERSION, model.version());
        return StageResult.completed(outputs, model);
      });
    });
  }

  private static float[] features(Analysis analysis, List<Onset> onsets, double bpm) {
    int size = AnnoteatorFeature.MEL_BANDS * AnnoteatorFeature.FRAMES;
    float[] batch = new float[onsets.size() * size];
    for (int i = 0; i < onsets.size(); i++) {
      int sample = (int) Math.round(onsets.get(i).time() * analysis.sampleRate());
      float[] feature = AnnoteatorFeature.forOnset(analysis.mono(), analysis.sampleRate(), sample, bpm);
      System.arraycopy(feature, 0, batch, i * size, size);
    }
    return batch;
  }

  private static List<DrumHit> hits(Analysis analysis, List<Onset> onsets, InferResult result) {
    float[] scores = result.output(OUTPUT).toFloatArray();
    if (scores.length != onsets.size() * DrumCnnOutput.CLASSES) {
      throw new Failure(io.songmap.job.ErrorCode.INFERENCE_FAILED, MODEL + " returned " + scores.length
          + " scores for " + onsets.size() + " onsets");
    }
    List<DrumHit> hits = new ArrayList<>();
    for (int i = 0; i < onsets.size(); i++) {
      Onset onset = onsets.get(i);
      int velocity = analysis.velocity().at(onset.time());
      for (DrumInstrument instrument : DrumCnnOutput.decode(scores, i * DrumCnnOutput.CLASSES)) {
        hits.add(new DrumHit(onset.time(), instrument, velocity));
      }
    }
    return hits;
  }
}
