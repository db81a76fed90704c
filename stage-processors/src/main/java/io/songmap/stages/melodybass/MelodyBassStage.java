package io.songmap.stages.melodybass;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.dsp.Onset;
import io.songmap.audio.dsp.OnsetDetector;
import io.songmap.audio.notes.BasicPitchDecoder;
import io.songmap.audio.notes.BasicPitchOutputs;
import io.songmap.audio.notes.BasicPitchWindowing;
import io.songmap.audio.notes.LowerOctaves;
import io.songmap.audio.notes.Note;
import io.songmap.audio.notes.NoteLines;
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
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bass and melody notes with Spotify's Basic Pitch ({@code basic_pitch} through the inference
 * client): the bass stem, and vocals plus other, each as 22,050 Hz mono cut into the reference's
 * overlapping 2 s windows, sent in batches; the outputs are stitched and decoded into notes as
 * the reference does; overtones reported as notes of their own are dropped ({@link HarmonicGhosts}),
 * then the notes are reduced to the lowest line under middle C (bass) and to the highest sounding
 * note (melody). The bass line's note starts are then corrected: overtone attacks join the note
 * they start, and starts move to the bass stem's onsets just before them ({@link BassLine}); last,
 * notes whose partials in the stem show a harmonic series an octave lower move down an octave
 * ({@link LowerOctaves}). The melody line drops notes much quieter than the notes around them
 * ({@link NoteLines#withoutQuiet}).
 *
 * <p>Outputs: {@value #NOTES} (artifact key of {@value #ARTIFACT}, see {@link NotesJson}),
 * {@value #BASS_NOTES}, {@value #BASS_OCTAVES_LOWERED}, {@value #MELODY_NOTES}, {@code modelName},
 * {@code modelVersion}.
 */
public final class MelodyBassStage implements StageHandler {

  public static final String MODEL = "basic_pitch";
  public static final String INPUT = "serving_default_input_2:0";
  public static final String NOTE_OUTPUT = "StatefulPartitionedCall:1";
  public static final String ONSET_OUTPUT = "StatefulPartitionedCall:2";
  public static final String ARTIFACT = "notes.json";

  public static final String NOTES = "notes";
  public static final String BASS_NOTES = "bassNotes";
  public static final String MELODY_NOTES = "melodyNotes";
  public static final String BASS_OCTAVES_LOWERED = "bassOctavesLowered";

  public static final ModelContract CONTRACT = ModelContract.batched(MODEL,
      List.of(TensorContract.of(INPUT, Datatype.FP32, BasicPitchWindowing.WINDOW_SAMPLES, 1)),
      List.of(TensorContract.of(NOTE_OUTPUT, Datatype.FP32, BasicPitchWindowing.WINDOW_FRAMES, BasicPitchOutputs.PITCHES),
          TensorContract.of(ONSET_OUTPUT, Datatype.FP32, BasicPitchWindowing.WINDOW_FRAMES, BasicPitchOutputs.PITCHES)));

  private final ArtifactStore store;
  private final TritonClient triton;
  private final Stages.Settings settings;

  public MelodyBassStage(ArtifactStore store, TritonClient triton, Stages.Settings settings) {
    this.store = store;
    this.triton = triton;
    this.settings = settings;
  }

  /**
   * One signal to transcribe: its length in samples at 22,050 Hz, its model windows, and for the bass
   * the signal itself (the octave check reads it) and its onsets in seconds; for the melody both empty.
   */
  private record Part(int samples, List<float[]> windows, float[] signal, double[] onsets) {

    static Part bass(float[] mono22050, double[] onsets) {
      return new Part(mono22050.length, BasicPitchWindowing.windows(mono22050), mono22050, onsets);
    }

    static Part melody(float[] mono22050) {
      return new Part(mono22050.length, BasicPitchWindowing.windows(mono22050), new float[0], new double[0]);
    }
  }

  /** The two lines, and how many bass notes the harmonic series moved down an octave. */
  private record Lines(List<Note> bass, int bassOctavesLowered, List<Note> melody) {}

  /** A run of consecutive windows of one part, sent as one request. */
  private record Batch(int part, int from, int to) {}

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    String version = task.modelVersions().getOrDefault(MODEL, "");
    return Stages.guarded(() -> {
      ArtifactKey bassKey = Inputs.artifact(task, "separate.bass");
      ArtifactKey vocalsKey = Inputs.artifact(task, "separate.vocals");
      ArtifactKey otherKey = Inputs.artifact(task, "separate.other");
      Future<Part> bass = Artifacts.readWav(store, ctx, bassKey)
          .compose(audio -> ctx.executeBlocking(() -> Part.bass(audio.toMono(BasicPitchWindowing.SAMPLE_RATE),
              onsets(audio))));
      Future<Part> melody = Artifacts.readWav(store, ctx, vocalsKey)
          .compose(vocals -> Artifacts.readWav(store, ctx, otherKey)
              .compose(other -> ctx.executeBlocking(() -> Part.melody(sum(vocals, other)))));
      return triton.checkContract(List.of(new ModelContract(MODEL, version, true, CONTRACT.inputs(), CONTRACT.outputs())))
          .compose(v -> Future.all(bass, melody))
          .compose(parts -> {
            ctx.reportProgress(0.1);
            return transcribe(task, ctx, List.of(parts.resultAt(0), parts.resultAt(1)), version);
          });
    }).recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }


  /** Onset times in seconds of a stem at its own rate; the bass line's note starts move to them. */
  private static double[] onsets(PcmAudio audio) {
    List<Onset> onsets = new OnsetDetector().detect(audio.mixToMono(), audio.sampleRate());
    return onsets.stream().mapToDouble(Onset::time).toArray();
  }

  /** Vocals plus other as 22,050 Hz mono: everything pitched that is not bass. */
  private static float[] sum(PcmAudio vocals, PcmAudio other) {
    if (vocals.sampleRate() != other.sampleRate() || vocals.frames() != other.frames()) {
      throw new Failure(ErrorCode.INPUT_INVALID, "the vocals and other stems differ in rate or length");
    }
    float[] a = vocals.mixToMono();
    float[] b = other.mixToMono();
    float[] mixed = new float[a.length];
    for (int i = 0; i < mixed.length; i++) {
      mixed[i] = a[i] + b[i];
    }
    return new PcmAudio(vocals.sampleRate(), new float[][] {mixed}).toMono(BasicPitchWindowing.SAMPLE_RATE);
  }

  private Future<StageResult> transcribe(StageTask task, StageContext ctx, List<Part> parts, String version) {
    List<Batch> batches = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      int windows = parts.get(p).windows().size();
      for (int from = 0; from < windows; from += settings.noteBatchSize()) {
        batches.add(new Batch(p, from, Math.min(windows, from + settings.noteBatchSize())));
      }
    }
    String[] servedVersion = {null};
    return Stages.bounded(batches.size(), settings.inferenceBatchesInFlight(), i -> {
      Batch batch = batches.get(i);
      return ctx.executeBlocking(() -> input(parts.get(batch.part()).windows().subList(batch.from(), batch.to())))
          .compose(input -> triton.infer(InferRequest.of(MODEL, Tensor.fp32(INPUT,
                  new long[] {batch.to() - batch.from(), BasicPitchWindowing.WINDOW_SAMPLES, 1}, input))
              .withVersion(version)
              .withPriority(Stages.tritonPriority(task))
              .withOutputs(NOTE_OUTPUT, ONSET_OUTPUT)
              .withId(task.jobId() + "/melody_bass/" + i)
              .withDeadline(settings.inferenceDeadline())))
          .compose(result -> {
            servedVersion[0] = result.version();
            return ctx.executeBlocking(() -> outputs(result, batch.to() - batch.from()));
          });
    }, done -> ctx.reportProgress(0.1 + 0.75 * done / batches.size())).compose(perBatch -> {
      List<List<BasicPitchOutputs>> perPart = new ArrayList<>();
      parts.forEach(p -> perPart.add(new ArrayList<>()));
      for (int i = 0; i < batches.size(); i++) {
        perPart.get(batches.get(i).part()).addAll(perBatch.get(i));
      }
      return ctx.executeBlocking(() -> {
        List<Note> bassNotes = BasicPitchDecoder.decode(perPart.get(0), parts.get(0).samples(),
            BasicPitchDecoder.Params.defaults());
        List<Note> melodyNotes = BasicPitchDecoder.decode(perPart.get(1), parts.get(1).samples(),
            BasicPitchDecoder.Params.defaults());
        List<Note> bassLine = NoteLines.bass(HarmonicGhosts.remove(bassNotes), NoteLines.BASS_CEILING_MIDI, true);
        LowerOctaves.Result bass = new LowerOctaves(BasicPitchWindowing.SAMPLE_RATE)
            .correct(BassLine.refine(bassLine, parts.get(0).onsets()), parts.get(0).signal());
        List<Note> melodyLine = NoteLines.withoutQuiet(NoteLines.skyline(HarmonicGhosts.remove(melodyNotes)),
            NoteLines.MELODY_QUIET_SHARE, NoteLines.QUIET_WINDOW_SECONDS);
        return new Lines(bass.notes(), bass.lowered(), melodyLine);
      });
    }).compose(lines -> {
      ctx.reportProgress(0.9);
      ModelRef model = new ModelRef(MODEL, servedVersion[0] != null && !servedVersion[0].isBlank() ? servedVersion[0]
          : version.isBlank() ? "latest" : version);
      ArtifactKey key = Artifacts.output(task, ARTIFACT);
      return Artifacts.putJson(store, key, NotesJson.write(lines.bass(), lines.melody(), model)).map(info -> {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(NOTES, info.key().path());
        outputs.put(BASS_NOTES, Integer.toString(lines.bass().size()));
        outputs.put(BASS_OCTAVES_LOWERED, Integer.toString(lines.bassOctavesLowered()));
        outputs.put(MELODY_NOTES, Integer.toString(lines.melody().size()));
        outputs.put(SeparateStage.MODEL_NAME, model.name());
        outputs.put(SeparateStage.MODEL_VERSION, model.version());
        return StageResult.completed(outputs, model);
      });
    });
  }

  private static float[] input(List<float[]> windows) {
    float[] batch = new float[windows.size() * BasicPitchWindowing.WINDOW_SAMPLES];
    for (int i = 0; i < windows.size(); i++) {
      System.arraycopy(windows.get(i), 0, batch, i * BasicPitchWindowing.WINDOW_SAMPLES, BasicPitchWindowing.WINDOW_SAMPLES);
    }
    return batch;
  }

  private static List<BasicPitchOutputs> outputs(InferResult result, int items) {
    FloatBuffer note = result.output(NOTE_OUTPUT).floats();
    FloatBuffer onset = result.output(ONSET_OUTPUT).floats();
    int perItem = BasicPitchWindowing.WINDOW_FRAMES * BasicPitchOutputs.PITCHES;
    if (note.remaining() != items * perItem || onset.remaining() != items * perItem) {
      throw new Failure(ErrorCode.INFERENCE_FAILED, MODEL + " returned outputs of the wrong size for " + items + " windows");
    }
    List<BasicPitchOutputs> out = new ArrayList<>(items);
    for (int i = 0; i < items; i++) {
      out.add(new BasicPitchOutputs(matrix(note, i * perItem), matrix(onset, i * perItem), null));
    }
    return out;
  }

  private static float[][] matrix(FloatBuffer values, int offset) {
    float[][] m = new float[BasicPitchWindowing.WINDOW_FRAMES][BasicPitchOutputs.PITCHES];
    for (int t = 0; t < m.length; t++) {
      values.get(offset + t * BasicPitchOutputs.PITCHES, m[t]);
    }
    return m;
  }
}
