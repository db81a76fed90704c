package io.songmap.stages.melodybass;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.notes.Note;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import io.songmap.inference.cpu.models.BasicPitchModel;
import io.songmap.job.stage.Stage;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.runtime.StageResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The melody_bass stage with the real Basic Pitch model served over gRPC: a bass line in the bass
 * stem and a tune split between the vocals and other stems come back as their notes.
 */
class MelodyBassStageTest {

  private static final int RATE = 44_100;

  /** Harmonic tones (so that the model hears an instrument, not a test tone) at the given MIDI pitches, one per second. */
  private static float[] tones(int[] midi, double seconds) {
    float[] out = new float[(int) (seconds * RATE)];
    for (int n = 0; n < midi.length; n++) {
      double f = 440 * Math.pow(2, (midi[n] - 69) / 12.0);
      int start = n * RATE;
      int length = (int) (0.8 * RATE);
      for (int i = 0; i < length && start + i < out.length; i++) {
        double env = Math.min(1, i / 200.0) * Math.exp(-i / (0.6 * RATE));
        double v = 0;
        for (int k = 1; k <= 4; k++) {
          v += Math.sin(2 * Math.PI * f * k * i / RATE) / k;
        }
        out[start + i] = (float) (0.3 * env * v);
      }
    }
    return out;
  }

  @Test
  void bassAndMelodyComeBackAsTheirNotes() throws Exception {
    int[] bassLine = {40, 43, 45, 40, 38, 40};
    int[] tune = {69, 72, 74, 76, 74, 72};
    try (StageHarness h = new StageHarness(List.of(new BasicPitchModel()))) {
      float[] bass = tones(bassLine, 7);
      float[] melody = tones(tune, 7);
      float[] firstHalf = new float[melody.length];
      float[] secondHalf = new float[melody.length];
      System.arraycopy(melody, 0, firstHalf, 0, 3 * RATE);
      System.arraycopy(melody, 3 * RATE, secondHalf, 3 * RATE, melody.length - 3 * RATE);
      Map<String, String> inputs = Map.of(
          "separate.bass", store(h, "stems/bass.wav", bass).path(),
          "separate.vocals", store(h, "stems/vocals.wav", firstHalf).path(),
          "separate.other", store(h, "stems/other.wav", secondHalf).path());

      StageResult result = h.run(new MelodyBassStage(h.store, h.triton, h.settings),
          h.task(Stage.MELODY_BASS, "job-notes", inputs));

      assertThat(result).isInstanceOf(StageResult.Completed.class);
      StageResult.Completed done = (StageResult.Completed) result;
      assertThat(done.model().name()).isEqualTo("basic_pitch");
      NotesJson.Content notes = NotesJson.read(StageHarness.await(h.store.read(
          ArtifactKey.parse(done.outputs().get("notes")))).toJsonObject());
      assertThat(notes.bass()).extracting(Note::midi).containsSubsequence(40, 43, 45, 40, 38, 40);
      assertThat(notes.melody()).extracting(Note::midi).containsSubsequence(69, 72, 74, 76, 74, 72);
      for (List<Note> line : List.of(notes.bass(), notes.melody())) {
        assertThat(line).isSortedAccordingTo((a, b) -> Double.compare(a.start(), b.start()));
        for (int i = 1; i < line.size(); i++) {
          assertThat(line.get(i).start()).as("one note at a time").isGreaterThanOrEqualTo(line.get(i - 1).end() - 1e-9);
        }
      }
      Note firstBass = notes.bass().stream().filter(n -> n.midi() == 40).findFirst().orElseThrow();
      assertThat(firstBass.start()).isBetween(0.0, 0.06);
      assertThat(done.outputs()).containsEntry("bassNotes", Integer.toString(notes.bass().size()));
      // Full harmonic tones heard at their own pitch: the octave check leaves them where they are.
      assertThat(done.outputs()).containsEntry("bassOctavesLowered", "0");
    }
  }

  private static ArtifactKey store(StageHarness h, String name, float[] mono) throws Exception {
    Path file = Files.createTempFile(h.root, "stem", ".wav");
    WavWriter.write(file, new PcmAudio(RATE, new float[][] {mono, mono}), WavFormat.FLOAT_32);
    ArtifactKey key = h.key("job-notes", name);
    StageHarness.await(h.store.put(key, file));
    return key;
  }
}
