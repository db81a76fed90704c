package io.songmap.loadtests.quality;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.metrics.NoteSet;
import io.songmap.audio.metrics.TranscriptionMetrics;
import io.songmap.audio.metrics.TranscriptionMetrics.Criteria;
import io.songmap.audio.metrics.TranscriptionMetrics.NoteScores;
import io.songmap.audio.notes.Note;
import io.songmap.audio.wav.WavReader;
import io.songmap.job.stage.Stage;
import io.songmap.loadtests.quality.Evaluation.SongScores;
import io.songmap.loadtests.quality.SongGenerator.GeneratedSong;
import io.songmap.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quality benchmark: {@code load-tests/run quality --help}. Synthesizes songs with exact ground
 * truth ({@link SongGenerator}), runs each through the whole pipeline in this process ({@link
 * Pipeline}) and scores the Song Maps and stems against the truth ({@link Evaluation}).
 */
@Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Synthesizes songs with exact ground truth (drums, bass and melody rendered",
        "part by part with FluidSynth and the GM soundfont, then mixed), runs each",
        "through the whole pipeline in this process (in-process Kafka, PostgreSQL",
        "database " + Pipeline.DATABASE + " with fresh tables, the CPU inference",
        "server over gRPC, the relay and the six stage workers) and prints per song",
        "and overall: drum onset F per piece (50 ms) and pooled over kick, snare and",
        "hi-hat; bass and melody note F (onset 50 ms + pitch 50 cents, without and",
        "with offsets); tempo within 4%%; SDR per stem. Then it times one long song",
        "('quality: 180 s song in <s> s').",
        "PostgreSQL: SONGMAP_PG_URL, else 127.0.0.1:5432. Needs the fluidsynth and",
        "fluid-soundfont-gm packages (apt).", ""})
public final class Main implements Callable<Integer> {

  @Option(names = "--songs", description = "number of songs (default ${DEFAULT-VALUE})")
  int songs = 5;

  @Option(names = "--seed", description = "seed of the first song; song i has seed + i (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--seconds", description = "length of each song in seconds (default ${DEFAULT-VALUE})")
  double seconds = 30;

  @Option(names = "--pads", description = "add a chord-pad part (the 'other' stem) to every song")
  boolean pads;

  @Option(names = "--speed-seconds",
      description = "length of the song timed at the end, 0 to skip it (default ${DEFAULT-VALUE})")
  double speedSeconds = 180;

  @Option(names = "--vocadito", description = "also score the melody of vocadito track 1 against annotator A1")
  boolean vocadito;

  @Option(names = "--vocadito-dir", description = "where vocadito_1.wav and its notes are (default ${DEFAULT-VALUE})")
  Path vocaditoDir = Path.of("../shared/data/vocadito");

  @Option(names = "--diagnose",
      description = "also run each song's rendered drum, bass and melody parts alone through the pipeline, "
          + "to tell separation losses from transcription losses")
  boolean diagnose;

  @Option(names = "--keep", paramLabel = "DIR", description = "write songs and artifacts into DIR and keep them")
  Path keep;

  @Option(names = "--generate-only", paramLabel = "DIR",
      description = "only write the songs (mix.wav, stems/, midi/, truth.json) into DIR/song-<seed>/ and stop")
  Path generateOnly;

  @Option(names = "--timeout-minutes", description = "longest wait for one job (default ${DEFAULT-VALUE})")
  int timeoutMinutes = 20;

  private final Report report = new Report(System.out);

  public static void main(String[] args) {
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    FluidSynth synth = FluidSynth.defaults();
    synth.requireInstalled();
    SongGenerator generator = new SongGenerator(synth);
    Composer.Options options = Composer.Options.of(seconds).withPads(pads);
    if (generateOnly != null) {
      for (int i = 0; i < songs; i++) {
        GeneratedSong song = generator.generate(seed + i, options, generateOnly.resolve("song-" + (seed + i)));
        report.generated(song);
      }
      return 0;
    }
    Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("songmap-quality-");
    try {
      return run(generator, options, work);
    } finally {
      if (keep == null) {
        deleteTree(work);
      }
    }
  }

  private int run(SongGenerator generator, Composer.Options options, Path work) throws Exception {
    long t0 = System.nanoTime();
    List<GeneratedSong> generated = new ArrayList<>();
    for (int i = 0; i < songs; i++) {
      generated.add(generator.generate(seed + i, options, work.resolve("songs/song-" + (seed + i))));
    }
    GeneratedSong speedSong = speedSeconds > 0
        ? generator.generate(seed + songs, Composer.Options.of(speedSeconds).withPads(pads),
            work.resolve("songs/song-" + (seed + songs) + "-long"))
        : null;
    report.line("generated %d song(s) of %.0f s%s in %.1f s (FluidSynth, %s)", songs, seconds,
        speedSong == null ? "" : String.format(Locale.ROOT, " and one of %.0f s", speedSeconds),
        (System.nanoTime() - t0) / 1e9, generator.soundfont().getFileName());
    String pgUrl = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
    Duration timeout = Duration.ofMinutes(timeoutMinutes);
    t0 = System.nanoTime();
    try (Pipeline pipeline = Pipeline.start(pgUrl, work)) {
      report.line("pipeline ready in %.1f s (Kafka in-process, PostgreSQL %s, cpu-server over gRPC)",
          (System.nanoTime() - t0) / 1e9, Pipeline.DATABASE);
      List<SongScores> all = new ArrayList<>();
      for (GeneratedSong song : generated) {
        Pipeline.Result result = pipeline.process(song.mix(), timeout);
        SongScores scores = Evaluation.score("song " + song.truth().seed(), song.truth(), result.map(),
            readStems(song), result.stems());
        all.add(scores);
        report.song(song, result, scores);
        if (diagnose) {
          diagnose(pipeline, song, timeout);
        }
      }
      report.overall(all);
      if (speedSong != null) {
        Pipeline.Result result = pipeline.process(speedSong.mix(), timeout);
        SongScores scores = Evaluation.score("long song " + speedSong.truth().seed(), speedSong.truth(),
            result.map(), readStems(speedSong), result.stems());
        report.song(speedSong, result, scores);
        Map<String, PcmAudio> references = readStems(speedSong);
        for (String stem : List.of("drums", "bass")) {
          report.line("  SDR of %s per 30 s: %s", stem, Evaluation.sdrOverTime(references, result.stems(), stem, 30)
              .stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).collect(Collectors.joining(", ")));
        }
        report.line("quality: %.0f s song in %.1f s", speedSong.truth().durationSeconds(), result.seconds());
        report.line("  stages: %s", stageTimes(result.stageSeconds()));
      }
      if (vocadito) {
        vocadito(pipeline, timeout);
      }
      report.targets(all);
    }
    return 0;
  }

  /**
   * Each rendered part alone through the whole pipeline: what the drum, note and tempo stages reach
   * when separation has nothing to separate, next to what they reach on the mix.
   */
  private void diagnose(Pipeline pipeline, GeneratedSong song, Duration timeout) throws Exception {
    Pipeline.Result drums = pipeline.process(song.stems().get("drums"), timeout);
    Evaluation.DrumScores d = Evaluation.drums(song.truth().drumHits(), drums.map().drums().hits());
    report.line("  alone: drums stem  %s; tempo %.1f BPM", Report.drums(d), drums.map().tempo().bpm());
    report.line("  alone: drums stem  %s", Report.diagnosis(d.diagnosis()));
    Pipeline.Result bass = pipeline.process(song.stems().get("bass"), timeout);
    report.line("  alone: bass stem   bass %s", Report.notes(Evaluation.notes(song.truth().bass().notes(),
        bass.map().bass().notes())));
    Pipeline.Result melody = pipeline.process(song.stems().get("melody"), timeout);
    report.line("  alone: melody stem melody %s", Report.notes(Evaluation.notes(song.truth().melody().notes(),
        melody.map().melody().notes())));
  }

  /** vocadito track 1: the melody notes of the Song Map against annotator A1's notes. */
  private void vocadito(Pipeline pipeline, Duration timeout) throws Exception {
    Path audio = vocaditoDir.resolve("vocadito_1.wav");
    Path notesFile = vocaditoDir.resolve("vocadito_1_notesA1.csv");
    if (!Files.isReadable(audio) || !Files.isReadable(notesFile)) {
      report.line("vocadito: not found in %s", vocaditoDir.toAbsolutePath().normalize());
      return;
    }
    NoteSet reference = readVocaditoNotes(notesFile);
    Pipeline.Result result = pipeline.process(audio, timeout);
    List<Note> melody = result.map().melody().notes();
    Criteria criteria = Criteria.defaults();
    NoteSet est = NoteSet.of(melody);
    NoteScores noOffsets = TranscriptionMetrics.precisionRecallF1Overlap(reference, est, criteria.ignoringOffsets());
    NoteScores withOffsets = TranscriptionMetrics.precisionRecallF1Overlap(reference, est, criteria);
    var onsets = TranscriptionMetrics.onsetPrecisionRecallF1(reference, est, criteria.onsetTolerance());
    List<Note> both = new ArrayList<>(melody);
    both.addAll(result.map().bass().notes());
    NoteScores withBass = TranscriptionMetrics.precisionRecallF1Overlap(reference, NoteSet.of(both),
        criteria.ignoringOffsets());
    Evaluation.NoteScoresSummary summary = Evaluation.notes(notes(reference), melody);
    report.line("vocadito 1 (A1, %d notes): melody %d notes, note F %.3f (P %.3f R %.3f), with offsets %.3f, "
            + "onsets only %.3f; melody+bass note F %.3f; job %.1f s", reference.size(), est.size(),
        noOffsets.fMeasure(), noOffsets.precision(), noOffsets.recall(), withOffsets.fMeasure(), onsets.fMeasure(),
        withBass.fMeasure(), result.seconds());
    report.line("  median onset error %+.1f ms; %s", summary.medianErrorMs(), Report.pitchErrors(summary.pitchErrors()));
  }

  static NoteSet readVocaditoNotes(Path csv) throws IOException {
    List<double[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      rows.add(new double[] {Double.parseDouble(f[0].trim()), Double.parseDouble(f[1].trim()),
          Double.parseDouble(f[2].trim())});
    }
    double[] on = new double[rows.size()];
    double[] off = new double[rows.size()];
    double[] hz = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      on[i] = rows.get(i)[0];
      hz[i] = rows.get(i)[1];
      off[i] = rows.get(i)[0] + rows.get(i)[2];
    }
    return new NoteSet(on, off, hz);
  }

  /** Annotated notes as Song Map notes: the nearest MIDI pitch, for the pitch-error breakdown. */
  private static List<Note> notes(NoteSet set) {
    List<Note> out = new ArrayList<>();
    for (int i = 0; i < set.size(); i++) {
      int midi = (int) Math.round(69 + 12 * Math.log(set.pitchesHz()[i] / 440.0) / Math.log(2));
      out.add(new Note(set.onsets()[i], set.offsets()[i], midi, 100));
    }
    return out;
  }

  private static Map<String, PcmAudio> readStems(GeneratedSong song) throws IOException {
    Map<String, PcmAudio> stems = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : song.stems().entrySet()) {
      stems.put(e.getKey(), WavReader.read(e.getValue()));
    }
    return stems;
  }

  private static String stageTimes(Map<Stage, Double> seconds) {
    return seconds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey().wireName(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind is harmless.
    }
  }
}
