package io.songmap.stages.separate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavReader;
import io.songmap.audio.wav.WavWriter;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.HostTensor;
import io.songmap.job.ErrorCode;
import io.songmap.job.stage.Stage;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.runtime.StageResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The separate stage against a real inference server (gRPC on a random port) hosting a stand-in
 * {@code htdemucs} with the real contract that returns stem s as (s + 1) times its input: the
 * stems must come back as exactly those multiples of the song, which checks segmenting, the
 * cross-fade, the overlap-add and the stem order together.
 */
class SeparateStageTest {

  /** htdemucs' contract; each stem is the mix times (stem index + 1). */
  static final class ScalingSeparator implements CpuModel {
    final AtomicInteger items = new AtomicInteger();
    private final Optional<String> notReady;

    ScalingSeparator(Optional<String> notReady) {
      this.notReady = notReady;
    }

    @Override
    public String name() {
      return "htdemucs";
    }

    @Override
    public String version() {
      return "7";
    }

    @Override
    public int maxBatchSize() {
      return 8;
    }

    @Override
    public List<TensorSpec> inputs() {
      return List.of(new TensorSpec("mix", "FP32", new long[] {2, SeparateStage.SEGMENT_SAMPLES}));
    }

    @Override
    public List<TensorSpec> outputs() {
      return List.of(new TensorSpec("stems", "FP32", new long[] {4, 2, SeparateStage.SEGMENT_SAMPLES}));
    }

    @Override
    public Optional<String> notReadyReason() {
      return notReady;
    }

    @Override
    public Map<String, HostTensor> infer(Map<String, HostTensor> inputs) {
      HostTensor mix = inputs.get("mix");
      int batch = (int) mix.shape()[0];
      items.addAndGet(batch);
      int perItem = 2 * SeparateStage.SEGMENT_SAMPLES;
      FloatBuffer in = mix.floats();
      ByteBuffer out = ByteBuffer.allocate(batch * 4 * perItem * 4).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer o = out.asFloatBuffer();
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < 4; s++) {
          for (int i = 0; i < perItem; i++) {
            o.put((s + 1) * in.get(b * perItem + i));
          }
        }
      }
      return Map.of("stems", new HostTensor("FP32", new long[] {batch, 4, 2, SeparateStage.SEGMENT_SAMPLES}, out));
    }
  }

  @Test
  void theStemsOfAScalingSeparatorAreExactMultiplesOfTheSong() throws Exception {
    ScalingSeparator model = new ScalingSeparator(Optional.empty());
    try (StageHarness h = new StageHarness(List.of(model))) {
      int frames = 44_100 * 20 + 123;
      float[][] mix = new float[2][frames];
      Random random = new Random(5);
      for (float[] channel : mix) {
        for (int i = 0; i < frames; i++) {
          channel[i] = (float) (0.25 * random.nextGaussian());
        }
      }
      ArtifactKey audio = storeWav(h, "job-sep", new PcmAudio(44_100, mix));

      StageResult result = h.run(new SeparateStage(h.store, h.triton, h.settings),
          h.task(Stage.SEPARATE, "job-sep", Map.of("ingest.audio", audio.path()), 5));

      assertThat(result).isInstanceOf(StageResult.Completed.class);
      StageResult.Completed done = (StageResult.Completed) result;
      OverlapAdd expected = new OverlapAdd(frames, SeparateStage.SEGMENT_SAMPLES, 0.25, 4, 2);
      assertEquals(expected.segmentCount(), model.items.get(), "one model item per segment");
      assertThat(done.outputs()).containsEntry("segments", Integer.toString(expected.segmentCount()))
          .containsEntry("modelName", "htdemucs").containsEntry("modelVersion", "7");
      assertThat(done.model().name()).isEqualTo("htdemucs");
      for (int s = 0; s < SeparateStage.STEMS.size(); s++) {
        String stem = SeparateStage.STEMS.get(s);
        ArtifactKey key = ArtifactKey.parse(done.outputs().get(stem));
        assertThat(key.name()).isEqualTo("stems/" + stem + ".wav");
        assertThat(done.outputs().get(stem + "Sha256")).hasSize(64);
        Path file = StageHarness.await(h.store.localFile(key));
        assertThat(WavReader.layout(file).formatTag()).isEqualTo(3);
        PcmAudio out = WavReader.read(file);
        assertEquals(frames, out.frames());
        assertEquals(2, out.channels());
        for (int c = 0; c < 2; c++) {
          for (int i = 0; i < frames; i++) {
            assertEquals((s + 1) * mix[c][i], out.channel(c)[i], 1e-6, stem + " channel " + c + " sample " + i);
          }
        }
      }
      assertThat(h.progress).isNotEmpty().isSorted();
      assertThat(h.progress.size()).isGreaterThanOrEqualTo(expected.segmentCount());
      try (var work = Files.list(h.settings.workDir())) {
        assertThat(work).as("temporary stem files are removed").isEmpty();
      }
    }
  }

  @Test
  void aModelThatIsNotReadyFailsWithModelUnavailableAndTheServersReason() throws Exception {
    try (StageHarness h = new StageHarness(List.of(new ScalingSeparator(Optional.of("weights not deployed"))))) {
      ArtifactKey audio = storeWav(h, "job-nr", new PcmAudio(44_100, new float[2][44_100 * 2]));
      StageResult result = h.run(new SeparateStage(h.store, h.triton, h.settings),
          h.task(Stage.SEPARATE, "job-nr", Map.of("ingest.audio", audio.path())));
      assertThat(result).isInstanceOf(StageResult.Failed.class);
      StageResult.Failed failed = (StageResult.Failed) result;
      assertThat(failed.code()).isEqualTo(ErrorCode.MODEL_UNAVAILABLE);
      assertThat(failed.message()).contains("htdemucs").contains("weights not deployed");
    }
  }

  @Test
  void aMissingInputIsNamed() {
    try (StageHarness h = new StageHarness(List.of(new ScalingSeparator(Optional.empty())))) {
      StageResult result = h.run(new SeparateStage(h.store, h.triton, h.settings),
          h.task(Stage.SEPARATE, "job-x", Map.of("ingest.audio", "acme/job-x/audio.wav")));
      assertThat(result).isInstanceOf(StageResult.Failed.class);
      assertThat(((StageResult.Failed) result).code()).isEqualTo(ErrorCode.INPUT_INVALID);
      assertThat(((StageResult.Failed) result).message()).contains("acme/job-x/audio.wav");
    }
  }

  static ArtifactKey storeWav(StageHarness h, String jobId, PcmAudio audio) throws Exception {
    Path file = Files.createTempFile(h.root, "mix", ".wav");
    WavWriter.write(file, audio, WavFormat.FLOAT_32);
    ArtifactKey key = h.key(jobId, "audio.wav");
    StageHarness.await(h.store.put(key, file));
    return key;
  }
}
