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

  /**
   * Hi-hat 8ths with a kick on every beat, the hi-hat quiet beside the kick: the CNN reports some of
   * the hi-hats struck with a kick as the kick alone. With the band check every 8th has its
   * hi-hat, the kicks stay, and the stage says how many hi-hats it added.
   */
  @Test
  void theBandCheckFindsTheHiHatsStruckWithAKick() throws Exception {
    int rate = 44_100;
    double beat = 60.0 / 120;
    float[] kit = new float[rate * 12];
    java.util.Random noise = new java.util.Random(3);
    List<Double> kicks = new java.util.ArrayList<>();
    for (double t = 0.5; t < 11.5; t += beat / 2) {
      int at = (int) Math.round(t * rate);
      boolean onBeat = Math.round(t / (beat / 2)) % 2 == 0;
      double previous = 0;
      double previousHigh = 0;
      for (int i = 0; i < rate / 5 && at + i < kit.length; i++) {
        // a hi-hat: white noise, high-passed twice by first differences, 40 ms decay
        double white = noise.nextGaussian();
        double high = white - previous;
        double hat = 0.08 * Math.exp(-i / (0.04 * rate)) * (high - previousHigh) / 4;
        previous = white;
        previousHigh = high;
        double kick = 0;
        if (onBeat) {
          // a kick: a sine falling from 120 to 50 Hz, 150 ms decay
          double phase = 2 * Math.PI * (50 * i / (double) rate + 70 * 0.03 * (1 - Math.exp(-i / (0.03 * rate))));
          kick = 0.8 * Math.exp(-i / (0.15 * rate)) * Math.sin(phase);
        }
        kit[at + i] += (float) (hat + kick);
      }
      if (onBeat) {
        kicks.add(t);
      }
    }
    PcmAudio audio = new PcmAudio(rate, new float[][] {kit, kit});
    StageResult.Completed on = (StageResult.Completed) h.run(new DrumsStage(h.store, h.triton, h.settings),
        h.task(Stage.DRUMS, "job-hats", inputs("job-hats", audio)));
    StageResult.Completed off = (StageResult.Completed) h.run(
        new DrumsStage(h.store, h.triton, h.settings.withDrumBandCheck(false)),
        h.task(Stage.DRUMS, "job-hats-off", inputs("job-hats-off", audio)));

    List<DrumHit> checked = DrumsJson.read(StageHarness.await(h.store.read(
        ArtifactKey.parse(on.outputs().get("hits")))).toJsonObject()).hits();
    List<DrumHit> plain = DrumsJson.read(StageHarness.await(h.store.read(
        ArtifactKey.parse(off.outputs().get("hits")))).toJsonObject()).hits();
    assertThat(off.outputs()).containsEntry(DrumsStage.BAND_CHECK, "off");
    assertThat(on.outputs().get(DrumsStage.BAND_CHECK)).startsWith("added ");
    long hatsChecked = checked.stream().filter(hit -> hit.instrument() == DrumInstrument.HIHAT).count();
    long hatsPlain = plain.stream().filter(hit -> hit.instrument() == DrumInstrument.HIHAT).count();
    int eighths = 2 * kicks.size();
    assertThat(hatsChecked).as("hi-hats with the check, of %s 8ths", eighths).isGreaterThanOrEqualTo(eighths - 1L);
    assertThat(hatsPlain).as("hi-hats without the check").isLessThan(hatsChecked);
    assertThat(on.outputs().get(DrumsStage.BAND_CHECK)).startsWith("added " + (hatsChecked - hatsPlain) + " hi-hats");
    for (double kick : kicks) {
      assertThat(checked).as("a kick at %s s", kick)
          .anyMatch(hit -> hit.instrument() == DrumInstrument.KICK && Math.abs(hit.time() - kick) < 0.03);
    }
  }

  /** The same audio stored as the job's drum stem and mix. */
  private Map<String, String> inputs(String job, PcmAudio audio) throws Exception {
    return Map.of("separate.drums", store(job, "stems/drums.wav", audio).path(),
        "ingest.audio", store(job, "audio.wav", audio).path());
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
