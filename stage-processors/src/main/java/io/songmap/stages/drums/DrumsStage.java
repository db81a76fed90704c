package io.songmap.stages.drums;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.drums.AnnoteatorFeature;
import io.songmap.audio.drums.DrumCnnOutput;
import io.songmap.audio.drums.BandCheck;
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
 * client, decoded as the reference does (every class above 0.5, else the most likely one), then
 * checked in the 9–14 kHz band the CNN does not see and in the kick's 20–120 Hz band ({@link
 * BandCheck}: the hi-hats the CNN misses beside a kick or snare, its kicks without a thump; off with
 * {@code SONGMAP_DRUM_BAND_CHECK=false}). Tempo and beats come
 * from the same onset envelope; when the drum stem has no pulse (no drums) the mix is tracked
 * instead.
 *
 * <p>Outputs: {@value #HITS} (artifact key of {@value #ARTIFACT}, see {@link DrumsJson}),
 * {@value #BPM}, {@value #HIT_COUNT}, {@value #BEAT_COUNT}, {@value #BAND_CHECK},
 * {@code modelName}, {@code modelVersion}.
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
  /** What the band check did, in words ("added 42 hi-hats and 3 kicks, ...", "off", ...). */
  public static final String BAND_CHECK = "bandCheck";

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
        beatTracker.track(envelope, mono), "drums");
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
                  Tensor.fp32(INPUT, new long[] {to - from, AnnoteatorFeature.MEL_BANDS, AnnoteatorFeature.FRAMES, 1},
                      input.features()))
              .withVersion(version)
              .withPriority(Stages.tritonPriority(task))
              .withOutputs(OUTPUT)
              .withId(task.jobId() + "/drums/" + b)
              .withDeadline(settings.inferenceDeadline()))
              .map(result -> {
                servedVersion[0] = result.version();
                return new Scored(scores(result, to - from), input.levels());
              }));
    }, done -> ctx.reportProgress(0.2 + 0.7 * done / batches))
        .compose(perBatch -> ctx.executeBlocking(() -> decode(analysis, perBatch)))
        .compose(decoded -> {
          List<DrumHit> hits = decoded.hits();
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
            outputs.put(BAND_CHECK, decoded.check());
            outputs.put(SeparateStage.MODEL_NAME, model.name());
            outputs.put(SeparateStage.MODEL_VERSION, model.version());
            return StageResult.completed(outputs, model);
          });
        });
  }

  /** One batch's model input and the band levels at each of its onsets. */
  private record Input(float[] features, List<BandCheck.Level> levels) {}

  /** One batch's CNN scores, six per onset, and its band levels. */
  private record Scored(float[] scores, List<BandCheck.Level> levels) {}

  /** The song's hits and what the band check did (for the stage's outputs). */
  private record Decoded(List<DrumHit> hits, String check) {}

  private Input features(Analysis analysis, List<Onset> onsets, double bpm) {
    int size = AnnoteatorFeature.MEL_BANDS * AnnoteatorFeature.FRAMES;
    float[] batch = new float[onsets.size() * size];
    List<BandCheck.Level> levels = new ArrayList<>(onsets.size());
    boolean check = settings.drumBandCheck() && BandCheck.applies(analysis.sampleRate());
    for (int i = 0; i < onsets.size(); i++) {
      int sample = (int) Math.round(onsets.get(i).time() * analysis.sampleRate());
      float[] feature = AnnoteatorFeature.forOnset(analysis.mono(), analysis.sampleRate(), sample, bpm);
      System.arraycopy(feature, 0, batch, i * size, size);
      if (check) {
        levels.add(BandCheck.level(analysis.mono(), analysis.sampleRate(), sample));
      }
    }
    return new Input(batch, levels);
  }

  private static float[] scores(InferResult result, int onsets) {
    float[] scores = result.output(OUTPUT).toFloatArray();
    if (scores.length != onsets * DrumCnnOutput.CLASSES) {
      throw new Failure(io.songmap.job.ErrorCode.INFERENCE_FAILED, MODEL + " returned " + scores.length
          + " scores for " + onsets + " onsets");
    }
    return scores;
  }

  /**
   * The whole song's scores decoded as the reference does, then, when enabled, checked in two bands
   * ({@link BandCheck}), which calibrates on the whole song.
   */
  private Decoded decode(Analysis analysis, List<Scored> perBatch) {
    List<Onset> onsets = analysis.onsets();
    float[] scores = new float[onsets.size() * DrumCnnOutput.CLASSES];
    List<BandCheck.Level> levels = new ArrayList<>(onsets.size());
    int at = 0;
    for (Scored batch : perBatch) {
      System.arraycopy(batch.scores(), 0, scores, at, batch.scores().length);
      at += batch.scores().length;
      levels.addAll(batch.levels());
    }
    List<List<DrumInstrument>> perOnset;
    String check;
    if (levels.size() == onsets.size() && !onsets.isEmpty()) {
      BandCheck.Outcome outcome = BandCheck.refine(scores, levels);
      perOnset = outcome.hits();
      check = outcome.summary();
    } else {
      perOnset = new ArrayList<>(onsets.size());
      for (int i = 0; i < onsets.size(); i++) {
        perOnset.add(DrumCnnOutput.decode(scores, i * DrumCnnOutput.CLASSES));
      }
      check = onsets.isEmpty() ? "no onsets" : "off";
    }
    List<DrumHit> hits = new ArrayList<>();
    for (int i = 0; i < onsets.size(); i++) {
      Onset onset = onsets.get(i);
      int velocity = analysis.velocity().at(onset.time());
      for (DrumInstrument instrument : perOnset.get(i)) {
        hits.add(new DrumHit(onset.time(), instrument, velocity));
      }
    }
    return new Decoded(hits, check);
  }
}
