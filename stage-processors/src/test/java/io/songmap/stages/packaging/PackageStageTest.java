package io.songmap.stages.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.songmap.LyricsStatus;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import io.songmap.job.ErrorCode;
import io.songmap.job.ModelRef;
import io.songmap.job.stage.Stage;
import io.songmap.stages.drums.DrumsJson;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.melodybass.NotesJson;
import io.songmap.stages.runtime.StageResult;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageStageTest {

  private static final String SHA = "ab".repeat(32);
  private StageHarness h;

  @BeforeAll
  void start() {
    h = new StageHarness(List.of());
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private Map<String, String> upstream(String jobId) {
    Map<String, String> inputs = new HashMap<>();
    inputs.put("source.objectKey", "acme/" + jobId + "/upload/song.mp3");
    inputs.put("ingest.audio", "acme/" + jobId + "/audio.wav");
    inputs.put("ingest.sourceSha256", SHA);
    inputs.put("ingest.sourceName", "song.mp3");
    inputs.put("ingest.durationSeconds", "4.0");
    for (String stem : List.of("drums", "bass", "other", "vocals")) {
      inputs.put("separate." + stem, "acme/" + jobId + "/stems/" + stem + ".wav");
      inputs.put("separate." + stem + "Sha256", SHA);
    }
    inputs.put("separate.modelName", "htdemucs");
    inputs.put("separate.modelVersion", "1");
    return inputs;
  }

  private Map<String, String> completed(StageResult result) {
    assertThat(result).isInstanceOf(StageResult.Completed.class);
    return ((StageResult.Completed) result).outputs();
  }

  private byte[] read(String key) {
    return StageHarness.await(h.store.read(ArtifactKey.parse(key))).getBytes();
  }

  @Test
  void everythingTheAnalysesFoundIsPackagedWithTheSkippedLyricsReason() {
    String job = "job-pkg";
    JsonObject drums = DrumsJson.write(new DrumsJson.Tempo(120, new double[] {0.5, 1.0, 1.5, 2.0, 2.5}, "drums"),
        List.of(new DrumHit(0.5, DrumInstrument.KICK, 110), new DrumHit(1.0, DrumInstrument.SNARE, 90),
            new DrumHit(1.0, DrumInstrument.HIHAT, 60)), new ModelRef("drum_cnn", "1"));
    JsonObject notes = NotesJson.write(List.of(new Note(0.5, 0.9, 40, 80)), List.of(new Note(0.5, 1.4, 69, 70)),
        new ModelRef("basic_pitch", "1"));
    StageHarness.await(h.store.put(h.key(job, "drums.json"), drums.toBuffer()));
    StageHarness.await(h.store.put(h.key(job, "notes.json"), notes.toBuffer()));
    StageHarness.await(h.store.put(h.key(job, "lyrics.json"),
        new JsonObject().put("status", "skipped").put("reason", "whisper not ready: no GPU").toBuffer()));
    Map<String, String> inputs = upstream(job);
    inputs.put("drums.hits", "acme/" + job + "/drums.json");
    inputs.put("melody_bass.notes", "acme/" + job + "/notes.json");

    Map<String, String> out = completed(h.run(new PackageStage(h.store, h.settings), h.task(Stage.PACKAGE, job, inputs)));

    assertThat(out).containsEntry("songmap", "acme/job-pkg/songmap.json")
        .containsEntry("musicxml", "acme/job-pkg/drums.musicxml")
        .containsEntry("midi", "acme/job-pkg/song.mid")
        .containsEntry("pdfSkipped", "PDF export is turned off (SONGMAP_PDF=false)")
        .doesNotContainKey("pdf");
    SongMap map = SongMapJson.read(new String(read(out.get("songmap")), StandardCharsets.UTF_8));
    assertThat(map.jobId()).isEqualTo(job);
    assertThat(map.durationSeconds()).isEqualTo(4.0);
    assertThat(map.tempo().bpm()).isEqualTo(120);
    assertThat(map.drums().hits()).hasSize(3);
    assertThat(map.bass().notes()).extracting(Note::midi).containsExactly(40);
    assertThat(map.melody().notes()).extracting(Note::midi).containsExactly(69);
    assertThat(map.lyrics().status()).isEqualTo(LyricsStatus.SKIPPED);
    assertThat(map.lyrics().reason()).isEqualTo("whisper not ready: no GPU");
    assertThat(map.stems().vocals().uri()).isEqualTo("artifact://acme/job-pkg/stems/vocals.wav");
    assertThat(map.models()).containsOnlyKeys("separate", "drums", "melody_bass");
    assertThat(new String(read(out.get("musicxml")), StandardCharsets.UTF_8)).contains("<score-partwise");
    assertThat(read(out.get("midi"))).startsWith((byte) 'M', (byte) 'T', (byte) 'h', (byte) 'd');
  }

  @Test
  void withoutDrumsTheTempoComesFromTheMix() throws Exception {
    String job = "job-nodrums";
    int rate = 44_100;
    float[] clicks = new float[rate * 8];
    for (double t = 0.1; t < 8; t += 0.5) {
      int at = (int) Math.round(t * rate);
      for (int i = 0; i < 300; i++) {
        clicks[at + i] = (float) (0.8 * Math.exp(-i / 50.0) * Math.sin(2 * Math.PI * 2000 * i / rate));
      }
    }
    Path file = Files.createTempFile(h.root, "mix", ".wav");
    WavWriter.write(file, new PcmAudio(rate, new float[][] {clicks, clicks}), WavFormat.FLOAT_32);
    StageHarness.await(h.store.put(h.key(job, "audio.wav"), file));

    Map<String, String> out = completed(h.run(new PackageStage(h.store, h.settings),
        h.task(Stage.PACKAGE, job, upstream(job))));

    SongMap map = SongMapJson.read(new String(read(out.get("songmap")), StandardCharsets.UTF_8));
    assertThat(map.tempo().bpm()).isBetween(115.0, 125.0);
    assertThat(map.drums().hits()).isEmpty();
    assertThat(map.lyrics().status()).isEqualTo(LyricsStatus.SKIPPED);
    assertThat(map.lyrics().reason()).contains("did not run");
  }

  @Test
  void aReprocessedRunWritesItsOwnExportsAndKeepsThoseOfEarlierRuns() {
    String job = "job-rerun";
    JsonObject notes = NotesJson.write(List.of(new Note(0.5, 0.9, 40, 80)), List.of(), new ModelRef("basic_pitch", "1"));
    StageHarness.await(h.store.put(h.key(job, "drums.json"), drums(120).toBuffer()));
    StageHarness.await(h.store.put(h.key(job, "notes.json"), notes.toBuffer()));
    StageHarness.await(h.store.put(h.key(job, "lyrics.json"),
        new JsonObject().put("status", "skipped").put("reason", "whisper not ready: no GPU").toBuffer()));
    Map<String, String> first = upstream(job);
    first.put("drums.hits", "acme/" + job + "/drums.json");
    first.put("melody_bass.notes", "acme/" + job + "/notes.json");
    Map<String, String> out1 = completed(h.run(new PackageStage(h.store, h.settings), h.task(Stage.PACKAGE, job, first)));

    // Run 2 reprocessed the drums only: their new result is run-scoped, everything else is carried over.
    StageHarness.await(h.store.put(h.key(job, "runs/2/drums.json"), drums(90).toBuffer()));
    Map<String, String> second = new HashMap<>(first);
    second.put("drums.hits", "acme/" + job + "/runs/2/drums.json");
    Map<String, String> out2 = completed(h.run(new PackageStage(h.store, h.settings),
        h.task(Stage.PACKAGE, job, 2, second, 0)));

    assertThat(out1).containsEntry("songmap", "acme/job-rerun/songmap.json")
        .containsEntry("midi", "acme/job-rerun/song.mid");
    assertThat(out2).containsEntry("songmap", "acme/job-rerun/runs/2/songmap.json")
        .containsEntry("musicxml", "acme/job-rerun/runs/2/drums.musicxml")
        .containsEntry("midi", "acme/job-rerun/runs/2/song.mid");
    SongMap before = SongMapJson.read(new String(read(out1.get("songmap")), StandardCharsets.UTF_8));
    SongMap after = SongMapJson.read(new String(read(out2.get("songmap")), StandardCharsets.UTF_8));
    assertThat(before.tempo().bpm()).isEqualTo(120);
    assertThat(after.tempo().bpm()).isEqualTo(90);
    assertThat(after.lyrics().reason()).isEqualTo("whisper not ready: no GPU");
    assertThat(after.stems().drums().uri()).isEqualTo("artifact://acme/job-rerun/stems/drums.wav");
  }

  private static JsonObject drums(double bpm) {
    return DrumsJson.write(new DrumsJson.Tempo(bpm, new double[] {0.5, 1.0, 1.5}, "drums"),
        List.of(new DrumHit(0.5, DrumInstrument.KICK, 110)), new ModelRef("drum_cnn", "1"));
  }

  @Test
  void aMalformedAnalysisIsAnInvalidInput() {
    String job = "job-bad";
    StageHarness.await(h.store.put(h.key(job, "drums.json"), new JsonObject().put("hits", "nope").toBuffer()));
    Map<String, String> inputs = upstream(job);
    inputs.put("drums.hits", "acme/" + job + "/drums.json");
    StageResult result = h.run(new PackageStage(h.store, h.settings), h.task(Stage.PACKAGE, job, inputs));
    assertThat(result).isInstanceOfSatisfying(StageResult.Failed.class,
        failed -> assertThat(failed.code()).isEqualTo(ErrorCode.INPUT_INVALID));
  }
}
