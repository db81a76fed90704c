package io.songmap.stages.drums;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import io.songmap.inference.cpu.models.DrumCnnModel;
import io.songmap.job.ErrorCode;
import io.songmap.job.stage.Stage;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.runtime.StageResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The drums stage with the real AnNOTEator CNN served over gRPC by the CPU inference server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrumsStageTest {

  private StageHarness h;

  @BeforeAll
  void start() {
    h = new StageHarness(List.of(new DrumCnnModel()));
  }

  @AfterAll
  void stop() {
    h.close();
  }

  @Test
  void an808KickPatternComesOutAsKicksAt120Bpm() throws Exception {
    PcmAudio kicks = new AudioDecoder().decode(StageHarness.shared().resolve("data/808kick120bpm.mp3")).audio();
    ArtifactKey stem = store("job-808", "stems/drums.wav", kicks);
    ArtifactKey mix = store("job-808", "audio.wav", kicks);

    StageResult result = h.run(new DrumsStage(h.store, h.triton, h.settings),
        h.task(Stage.DRUMS, "job-808", Map.of("separate.drums", stem.path(), "ingest.audio", mix.path())));

    assertThat(result).isInstanceOf(StageResult.Completed.class);
    StageResult.Completed done = (StageResult.Completed) result;
    assertThat(done.model().name()).isEqualTo("drum_cnn");
    assertThat(Double.parseDouble(done.outputs().get("bpm"))).isBetween(115.2, 124.8);
    DrumsJson.Content content = DrumsJson.read(StageHarness.await(h.store.read(
        ArtifactKey.parse(done.outputs().get("hits")))).toJsonObject());
    assertThat(content.tempo().source()).isEqualTo("drums");
    List<DrumHit> hits = content.hits();
    assertThat(hits).hasSize(Integer.parseInt(done.outputs().get("hitCount")));
    long kicksFound = hits.stream().filter(hit -> hit.instrument() == DrumInstrument.KICK).count();
    assertThat(kicksFound).as("kicks among %s", hits).isGreaterThanOrEqualTo(8).isGreaterThan(hits.size() / 2);
    assertThat(hits).allSatisfy(hit -> assertThat(hit.velocity()).isBetween(1, 127));
    assertThat(hits).extracting(DrumHit::velocity).contains(127);
    assertThat(h.progress).isNotEmpty().isSorted();
  }

  @Test
  void aSilentDrumStemHasNoHitsAndTakesItsTempoFromTheMix() throws Exception {
    int rate = 44_100;
    float[] clicks = new float[rate * 12];
    double period = 60.0 / 100;
    for (double t = 0.25; t < 12; t += period) {
      int at = (int) Math.round(t * rate);
      for (int i = 0; i < 400 && at + i < clicks.length; i++) {
        clicks[at + i] = (float) (0.8 * Math.exp(-i / 60.0) * Math.sin(2 * Math.PI * 1500 * i / rate));
      }
    }
    ArtifactKey stem = store("job-silent", "stems/drums.wav", new PcmAudio(rate, new float[2][clicks.length]));
    ArtifactKey mix = store("job-silent", "audio.wav", new PcmAudio(rate, new float[][] {clicks, clicks}));

    StageResult result = h.run(new DrumsStage(h.store, h.triton, h.settings),
        h.task(Stage.DRUMS, "job-silent", Map.of("separate.drums", stem.path(), "ingest.audio", mix.path())));

    assertThat(result).isInstanceOf(StageResult.Completed.class);
    StageResult.Completed done = (StageResult.Completed) result;
    assertThat(done.outputs()).containsEntry("hitCount", "0");
    DrumsJson.Content content = DrumsJson.read(StageHarness.await(h.store.read(
        ArtifactKey.parse(done.outputs().get("hits")))).toJsonObject());
    assertThat(content.tempo().source()).isEqualTo("mix");
    assertThat(content.tempo().bpm()).isBetween(96.0, 104.0);
  }

  @Test
  void aMissingStemIsAnInvalidInput() {
    StageResult result = h.run(new DrumsStage(h.store, h.triton, h.settings),
        h.task(Stage.DRUMS, "job-none", Map.of("ingest.audio", "acme/job-none/audio.wav")));
    assertThat(result).isInstanceOfSatisfying(StageResult.Failed.class,
        failed -> assertThat(failed.code()).isEqualTo(ErrorCode.INPUT_INVALID));
  }

  private ArtifactKey store(String jobId, String name, PcmAudio audio) throws Exception {
    Path file = Files.createTempFile(h.root, "audio", ".wav");
    WavWriter.write(file, audio, WavFormat.FLOAT_32);
    ArtifactKey key = h.key(jobId, name);
    StageHarness.await(h.store.put(key, file));
    return key;
  }
}
