package io.songmap.stages.lyrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.songmap.LyricsStatus;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.HostTensor;
import io.songmap.inference.cpu.models.WhisperModel;
import io.songmap.job.stage.Stage;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.runtime.StageResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LyricsStageTest {

  @Test
  void whisperNotReadyOnTheCpuServerSkipsTheStageWithTheServersReason() throws Exception {
    try (StageHarness h = new StageHarness(List.of(new WhisperModel()))) {
      ArtifactKey vocals = storeVocals(h, "job-ly", new float[44_100 * 3]);
      StageResult result = h.run(new LyricsStage(h.store, h.triton, h.settings),
          h.task(Stage.LYRICS, "job-ly", Map.of("separate.vocals", vocals.path())));

      assertThat(result).isInstanceOf(StageResult.Skipped.class);
      String reason = ((StageResult.Skipped) result).reason();
      assertThat(reason).startsWith("whisper not ready").contains("speech recognition");
      SongMap.Lyrics recorded = LyricsJson.read(StageHarness.await(h.store.read(h.key("job-ly", "lyrics.json")))
          .toJsonObject());
      assertThat(recorded.status()).isEqualTo(LyricsStatus.SKIPPED);
      assertThat(recorded.reason()).isEqualTo(reason);
    }
  }

  /**
   * A stand-in speaking the whisper contract with fixed words per window. It checks the request
   * side (16 kHz mono windows of at most 30 s) and how words are moved to song time; it says
   * nothing about recognition, which needs the real model on Triton.
   */
  static final class FixedWordsAsr implements CpuModel {
    final List<Integer> windowLengths = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String name() {
      return "whisper";
    }

    @Override
    public String version() {
      return "3";
    }

    @Override
    public int maxBatchSize() {
      return 8;
    }

    @Override
    public List<TensorSpec> inputs() {
      return List.of(new TensorSpec("audio", "FP32", new long[] {-1}));
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of(new TensorSpec("text", "BYTES", new long[] {1}));
    }

    @Override
    public Optional<String> notReadyReason() {
      return Optional.empty();
    }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> inputs) {
      HostTensor audio = inputs.get("audio");
      int batch = (int) audio.shape()[0];
      windowLengths.add((int) audio.shape()[1]);
      byte[] doc = "{\"text\":\"la la\",\"words\":[{\"start\":0.5,\"end\":0.9,\"text\":\" la\"},{\"start\":1.0,\"end\":1.4,\"text\":\"la \"}]}"
          .getBytes(StandardCharsets.UTF_8);
      ByteBuffer out = ByteBuffer.allocate(batch * (4 + doc.length)).order(ByteOrder.LITTLE_ENDIAN);
      for (int b = 0; b < batch; b++) {
        out.putInt(doc.length).put(doc);
      }
      out.flip();
      return Map.of("text", new HostTensor("BYTES", new long[] {batch, 1}, out));
    }
  }

  @Test
  void wordsOfEachWindowAreMovedToSongTime() throws Exception {
    FixedWordsAsr asr = new FixedWordsAsr();
    try (StageHarness h = new StageHarness(List.of(asr))) {
      float[] voice = new float[44_100 * 70];
      for (int i = 0; i < voice.length; i++) {
        voice[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 44_100.0));
      }
      ArtifactKey vocals = storeVocals(h, "job-words", voice);
      StageResult result = h.run(new LyricsStage(h.store, h.triton, h.settings),
          h.task(Stage.LYRICS, "job-words", Map.of("separate.vocals", vocals.path())));

      assertThat(result).isInstanceOf(StageResult.Completed.class);
      StageResult.Completed done = (StageResult.Completed) result;
      assertThat(done.model().name()).isEqualTo("whisper");
      assertThat(done.outputs()).containsEntry("wordCount", "6").containsEntry("modelVersion", "3");
      assertThat(asr.windowLengths).hasSize(3).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(30 * 16_000));
      assertThat(asr.windowLengths.stream().mapToInt(Integer::intValue).sum()).isEqualTo(70 * 16_000);

      SongMap.Lyrics lyrics = LyricsJson.read(StageHarness.await(h.store.read(
          ArtifactKey.parse(done.outputs().get("words")))).toJsonObject());
      assertThat(lyrics.status()).isEqualTo(LyricsStatus.TRANSCRIBED);
      assertThat(lyrics.words()).hasSize(6).extracting(SongMap.Word::text).containsOnly("la");
      assertThat(lyrics.words().get(0).start()).isEqualTo(0.5);
      assertThat(lyrics.words().get(2).start()).isGreaterThan(25.5).isLessThanOrEqualTo(30.5);
      assertThat(lyrics.words()).isSortedAccordingTo((a, b) -> Double.compare(a.start(), b.start()));
    }
  }

  @Test
  void silenceIsNotSentToTheRecogniser() {
    float[] mono = new float[16_000 * 65];
    for (int i = 16_000 * 40; i < 16_000 * 41; i++) {
      mono[i] = 0.2f;
    }
    List<LyricsWindows.Window> windows = LyricsWindows.split(mono);
    assertThat(windows).hasSize(1);
    assertThat(windows.get(0).startSeconds()).isBetween(25.0, 30.0);
  }

  static ArtifactKey storeVocals(StageHarness h, String jobId, float[] mono) throws Exception {
    Path file = Files.createTempFile(h.root, "vocals", ".wav");
    WavWriter.write(file, new PcmAudio(44_100, new float[][] {mono, mono}), WavFormat.FLOAT_32);
    ArtifactKey key = h.key(jobId, "stems/vocals.wav");
    StageHarness.await(h.store.put(key, file));
    return key;
  }
}
