package io.songmap.stages.packaging;

import io.songmap.artifacts.ArtifactInfo;
import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.audio.dsp.BeatTrack;
import io.songmap.audio.dsp.BeatTracker;
import io.songmap.audio.export.MidiExport;
import io.songmap.audio.export.MusicXmlDrumScore;
import io.songmap.audio.export.PdfRenderer;
import io.songmap.audio.songmap.InvalidSongMapException;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import io.songmap.job.ErrorCode;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.Stages.Artifacts;
import io.songmap.stages.Stages.Failure;
import io.songmap.stages.Stages.Inputs;
import io.songmap.stages.drums.DrumsJson;
import io.songmap.stages.drums.DrumsStage;
import io.songmap.stages.ingest.IngestStage;
import io.songmap.stages.lyrics.LyricsJson;
import io.songmap.stages.lyrics.LyricsStage;
import io.songmap.stages.melodybass.MelodyBassStage;
import io.songmap.stages.melodybass.NotesJson;
import io.songmap.stages.runtime.StageContext;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageResult;
import io.songmap.stages.runtime.StageTask;
import io.songmap.stages.separate.SeparateStage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage: assembles the Song Map ({@code songmap/v1}, validated against its JSON Schema
 * before it is stored) from what the earlier stages left, and the exports people use: a MusicXML
 * 4.0 drum score, a Standard MIDI file, and a PDF of the score when MuseScore is installed (without
 * it the PDF is left out and the output {@value #PDF_SKIPPED} says why).
 *
 * <p>An analysis that was skipped leaves its part of the map empty: no drum hits (tempo then
 * comes from tracking the mix here), no notes, lyrics {@code skipped} with the lyrics stage's
 * recorded reason.
 *
 * <p>Outputs: {@value #SONGMAP}, {@value #MUSICXML}, {@value #MIDI}, and {@value #PDF} or
 * {@value #PDF_SKIPPED}; {@value #SONGMAP_SHA256}.
 */
public final class PackageStage implements StageHandler {

  private static final Logger log = LoggerFactory.getLogger(PackageStage.class);

  public static final String SONGMAP = "songmap";
  public static final String SONGMAP_SHA256 = "songmapSha256";
  public static final String MUSICXML = "musicxml";
  public static final String MIDI = "midi";
  public static final String PDF = "pdf";
  public static final String PDF_SKIPPED = "pdfSkipped";

  public static final String SONGMAP_ARTIFACT = "songmap.json";
  public static final String MUSICXML_ARTIFACT = "drums.musicxml";
  public static final String MIDI_ARTIFACT = "song.mid";
  public static final String PDF_ARTIFACT = "drums.pdf";

  private final ArtifactStore store;
  private final Stages.Settings settings;
  private final Clock clock;
  private final PdfRenderer pdf;

  public PackageStage(ArtifactStore store, Stages.Settings settings) {
    this(store, settings, Clock.systemUTC(), settings.pdfEnabled() ? PdfRenderer.detect() : null);
  }

  PackageStage(ArtifactStore store, Stages.Settings settings, Clock clock, PdfRenderer pdf) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.pdf = pdf;
  }

  /** The analyses' results as found among the inputs; empty where a stage was skipped. */
  private record Parts(Optional<DrumsJson.Content> drums, Optional<NotesJson.Content> notes, Optional<JsonObject> lyrics) {}

  @Override
  public Future<StageResult> handle(StageTask task, StageContext ctx) {
    return Stages.guarded(() -> {
      ctx.reportProgress(0.05);
      Future<Optional<DrumsJson.Content>> drums = optionalJson(task, "drums." + DrumsStage.HITS)
          .map(json -> json.map(j -> parse(() -> DrumsJson.read(j), "drums")));
      Future<Optional<NotesJson.Content>> notes = optionalJson(task, "melody_bass." + MelodyBassStage.NOTES)
          .map(json -> json.map(j -> parse(() -> NotesJson.read(j), "notes")));
      Future<Optional<JsonObject>> lyrics = lyricsJson(task);
      return Future.all(drums, notes, lyrics)
          .map(all -> new Parts(drums.result(), notes.result(), lyrics.result()))
          .compose(parts -> tempo(task, ctx, parts).compose(tempo -> ctx.executeBlocking(() -> songMap(task, parts, tempo))))
          .compose(map -> export(task, ctx, map));
    }).recover(e -> Future.succeededFuture(Failure.toResult(e)));
  }

  private Future<Optional<JsonObject>> optionalJson(StageTask task, String input) {
    if (Inputs.optional(task, input).isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return Artifacts.readJson(store, Inputs.artifact(task, input)).map(Optional::of);
  }

  /**
   * The lyrics: from the stage's outputs when it transcribed; otherwise from the artifact it leaves
   * when it skips (a skipped stage has no outputs to carry the reason), written in this run or, when
   * the lyrics stage was not run again, in the latest run before it.
   */
  private Future<Optional<JsonObject>> lyricsJson(StageTask task) {
    if (Inputs.optional(task, "lyrics." + LyricsStage.WORDS).isPresent()) {
      return optionalJson(task, "lyrics." + LyricsStage.WORDS);
    }
    return recordedLyrics(task, task.run());
  }

  private Future<Optional<JsonObject>> recordedLyrics(StageTask task, int run) {
    if (run < 1) {
      return Future.succeededFuture(Optional.empty());
    }
    ArtifactKey recorded = new ArtifactKey(task.tenant(), task.jobId(), Artifacts.outputName(run, LyricsStage.ARTIFACT));
    return Artifacts.storage(store.stat(recorded), recorded).compose(info -> info.isPresent()
        ? Artifacts.readJson(store, recorded).map(Optional::of)
        : recordedLyrics(task, run - 1));
  }

  private Future<SongMap.Tempo> tempo(StageTask task, StageContext ctx, Parts parts) {
    if (parts.drums().isPresent()) {
      DrumsJson.Tempo t = parts.drums().get().tempo();
      return Future.succeededFuture(new SongMap.Tempo(t.bpm(), boxed(t.beats())));
    }
    ArtifactKey mix = Inputs.artifact(task, "ingest." + IngestStage.AUDIO);
    return Artifacts.readWav(store, ctx, mix).compose(audio -> ctx.executeBlocking(() -> {
      BeatTrack track = new BeatTracker().track(audio.mixToMono(), audio.sampleRate());
      // A song without any pulse still needs a tempo for the score and the MIDI file; beats stay empty.
      return track.bpm() > 0 ? new SongMap.Tempo(track.bpm(), boxed(track.beats())) : new SongMap.Tempo(120, List.of());
    }));
  }

  private SongMap songMap(StageTask task, Parts parts, SongMap.Tempo tempo) {
    Map<String, SongMap.ModelRef> models = new LinkedHashMap<>();
    Inputs.optional(task, "separate." + SeparateStage.MODEL_NAME).ifPresent(name -> models.put(Stage.SEPARATE.wireName(),
        new SongMap.ModelRef(name, Inputs.optional(task, "separate." + SeparateStage.MODEL_VERSION).orElse("latest"))));
    parts.drums().ifPresent(d -> models.put(Stage.DRUMS.wireName(), ref(d.model())));
    parts.notes().ifPresent(n -> models.put(Stage.MELODY_BASS.wireName(), ref(n.model())));

    SongMap.Lyrics lyrics = parts.lyrics()
        .map(j -> parse(() -> LyricsJson.read(j), "lyrics"))
        .orElse(SongMap.Lyrics.skipped("the lyrics stage did not run for this job"));
    parts.lyrics().map(LyricsJson::model).ifPresent(m -> models.put(Stage.LYRICS.wireName(), ref(m)));

    SongMap.Stems stems = new SongMap.Stems(stem(task, "drums"), stem(task, "bass"), stem(task, "other"),
        stem(task, "vocals"));
    return SongMap.of(task.jobId(),
        new SongMap.Source(Inputs.optional(task, "ingest." + IngestStage.SOURCE_NAME).orElse("source"),
            Inputs.require(task, "ingest." + IngestStage.SOURCE_SHA256)),
        clock.instant(),
        Inputs.number(task, "ingest." + IngestStage.DURATION_SECONDS),
        tempo,
        new SongMap.Drums(parts.drums().map(DrumsJson.Content::hits).orElse(List.of())),
        new SongMap.NoteTrack(parts.notes().map(NotesJson.Content::bass).orElse(List.of())),
        new SongMap.NoteTrack(parts.notes().map(NotesJson.Content::melody).orElse(List.of())),
        lyrics, stems, models);
  }

  private static SongMap.ArtifactRef stem(StageTask task, String stem) {
    Optional<String> key = Inputs.optional(task, "separate." + stem);
    Optional<String> sha = Inputs.optional(task, "separate." + stem + "Sha256");
    return key.isPresent() && sha.isPresent() ? new SongMap.ArtifactRef("artifact://" + key.get(), sha.get()) : null;
  }

  private Future<StageResult> export(StageTask task, StageContext ctx, SongMap map) {
    return ctx.executeBlocking(() -> {
      byte[] json;
      try {
        json = SongMapJson.writeBytes(map);
      } catch (InvalidSongMapException e) {
        throw new Failure(ErrorCode.INPUT_INVALID, "the assembled Song Map is not valid songmap/v1: " + e.getMessage(), e);
      }
      return new Exports(json, MusicXmlDrumScore.write(map), new MidiExport().write(map));
    }).compose(exports -> {
      ctx.reportProgress(0.5);
      Future<ArtifactInfo> songmap = Artifacts.putBytes(store, key(task, SONGMAP_ARTIFACT), exports.songMap());
      Future<ArtifactInfo> musicXml = Artifacts.putBytes(store, key(task, MUSICXML_ARTIFACT), exports.musicXml());
      Future<ArtifactInfo> midi = Artifacts.putBytes(store, key(task, MIDI_ARTIFACT), exports.midi());
      Future<Map<String, String>> pdfOutput = pdf(task, ctx, exports.musicXml());
      return Future.all(songmap, musicXml, midi, pdfOutput).map(all -> {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(SONGMAP, songmap.result().key().path());
        outputs.put(SONGMAP_SHA256, songmap.result().sha256());
        outputs.put(MUSICXML, musicXml.result().key().path());
        outputs.put(MIDI, midi.result().key().path());
        outputs.putAll(pdfOutput.result());
        return StageResult.completed(outputs);
      });
    });
  }

  private record Exports(byte[] songMap, byte[] musicXml, byte[] midi) {}

  /**
   * The PDF, or why there is none. MuseScore failing on a score is reported and the job goes on:
   * the PDF is a convenience on top of the MusicXML it is made from.
   */
  private Future<Map<String, String>> pdf(StageTask task, StageContext ctx, byte[] musicXml) {
    if (pdf == null) {
      return Future.succeededFuture(Map.of(PDF_SKIPPED, "PDF export is turned off (SONGMAP_PDF=false)"));
    }
    if (!pdf.isAvailable()) {
      return Future.succeededFuture(Map.of(PDF_SKIPPED, pdf.unavailableReason().orElse("MuseScore is not installed")));
    }
    return ctx.executeBlocking(() -> pdf.render(musicXml, settings.pdfTimeout()))
        .compose(bytes -> Artifacts.putBytes(store, key(task, PDF_ARTIFACT), bytes))
        .map(info -> Map.of(PDF, info.key().path()))
        .recover(e -> {
          if (e instanceof Failure f && f.code() == ErrorCode.STORAGE_UNAVAILABLE) {
            return Future.failedFuture(e);
          }
          log.warn("MuseScore could not engrave the drum score of job {}: {}", task.jobId(), e.getMessage());
          return Future.succeededFuture(Map.of(PDF_SKIPPED, "MuseScore failed: " + e.getMessage()));
        });
  }

  private static ArtifactKey key(StageTask task, String name) {
    return Artifacts.output(task, name);
  }

  private static SongMap.ModelRef ref(ModelRef model) {
    return new SongMap.ModelRef(model.name(), model.version());
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  private static <T> T parse(java.util.function.Supplier<T> reader, String what) {
    try {
      return reader.get();
    } catch (IllegalArgumentException e) {
      throw new Failure(ErrorCode.INPUT_INVALID, "the " + what + " artifact is malformed: " + e.getMessage(), e);
    }
  }
}
