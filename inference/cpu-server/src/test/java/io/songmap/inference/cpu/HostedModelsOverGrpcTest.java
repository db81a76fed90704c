package io.songmap.inference.cpu;

import static io.songmap.inference.cpu.InferenceProtocolTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.ContractViolationException;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferResult;
import io.songmap.inference.triton.InferenceException;
import io.songmap.inference.triton.ModelContract;
import io.songmap.inference.triton.ModelContract.TensorContract;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The models the CPU server ships, called the way the processors call them: contract check at
 * start, then one inference each through the client over a real socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostedModelsOverGrpcTest {
  /** The contracts as Songmap's processors expect them (and as the Triton repository declares them). */
  static final Map<String, ModelContract> CONTRACTS = Map.of(
      "htdemucs", ModelContract.batched("htdemucs",
          List.of(TensorContract.of("mix", Datatype.FP32, 2, 343980)),
          List.of(TensorContract.of("stems", Datatype.FP32, 4, 2, 343980))),
      "drum_cnn", ModelContract.batched("drum_cnn",
          List.of(TensorContract.of("conv2d_input", Datatype.FP32, 128, 18, 1)),
          List.of(TensorContract.of("dense_2", Datatype.FP32, 6))),
      "basic_pitch", ModelContract.batched("basic_pitch",
          List.of(TensorContract.of("serving_default_input_2:0", Datatype.FP32, 43844, 1)),
          List.of(TensorContract.of("StatefulPartitionedCall:1", Datatype.FP32, 172, 88),
              TensorContract.of("StatefulPartitionedCall:2", Datatype.FP32, 172, 88),
              TensorContract.of("StatefulPartitionedCall:0", Datatype.FP32, 172, 264))),
      "whisper", ModelContract.batched("whisper",
          List.of(TensorContract.of("audio", Datatype.FP32, -1)),
          List.of(TensorContract.of("text", Datatype.BYTES, 1))));

  private CpuServer server;
  private TritonClient client;
  private Set<String> hosted;

  @BeforeAll
  void start() {
    List<CpuModel> models = CpuModels.defaults();
    hosted = models.stream().map(CpuModel::name).collect(Collectors.toSet());
    server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(2, 2), models);
    client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()));
  }

  @AfterAll
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void everyReadyModelPassesTheContractCheck() throws Exception {
    List<ModelContract> ready = CONTRACTS.values().stream()
        .filter(c -> hosted.contains(c.name()) && !c.name().equals("whisper")).toList();

    await(client.checkContract(ready));
    assertThat(ready).extracting(ModelContract::name).contains("drum_cnn", "basic_pitch");
  }

  @Test
  void whisperIsNotReadyAndSaysWhy() {
    assertThatThrownBy(() -> await(client.checkContract(List.of(CONTRACTS.get("whisper")))))
        .isInstanceOf(ContractViolationException.class)
        .hasMessageContaining("'whisper'").hasMessageContaining("GPU");
    assertThatThrownBy(() -> await(client.infer(InferRequest.of("whisper", Tensor.fp32("audio", new long[] {1, 16000}, new float[16000])))))
        .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void drumCnnAnswersSixProbabilitiesPerClip() throws Exception {
    float[] mel = new float[2 * 128 * 18];
    for (int i = 0; i < mel.length; i++) {
      mel[i] = (i % 7) * 0.01f;
    }

    InferResult r = await(client.infer(InferRequest.of("drum_cnn", Tensor.fp32("conv2d_input", new long[] {2, 128, 18, 1}, mel))));

    assertThat(r.output("dense_2").shape()).containsExactly(2, 6);
    for (float p : r.output("dense_2").toFloatArray()) {
      assertThat(p).isBetween(0f, 1f);
    }
  }

  @Test
  void basicPitchHearsA440AsMidi69() throws Exception {
    float[] audio = new float[43844];
    for (int i = 0; i < audio.length; i++) {
      audio[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 22050.0));
    }

    InferResult r = await(client.infer(InferRequest.of("basic_pitch", Tensor.fp32("serving_default_input_2:0", new long[] {1, 43844, 1}, audio))));

    float[] note = r.output("StatefulPartitionedCall:1").toFloatArray();
    assertThat(r.output("StatefulPartitionedCall:1").shape()).containsExactly(1, 172, 88);
    double[] perPitch = new double[88];
    for (int i = 0; i < note.length; i++) {
      perPitch[i % 88] += note[i];
    }
    int best = 0;
    for (int p = 1; p < 88; p++) {
      best = perPitch[p] > perPitch[best] ? p : best;
    }
    assertThat(21 + best).isEqualTo(69);
  }

  @Test
  void htdemucsStemsSumBackToTheMix() throws Exception {
    Assumptions.assumeTrue(hosted.contains("htdemucs"), "htdemucs is not among the hosted models yet");
    int n = 343980;
    float[] mix = new float[2 * n];
    for (int i = 0; i < n; i++) {
      float s = (float) (0.3 * Math.sin(2 * Math.PI * 110 * i / 44100.0) + ((i % 22050) < 400 ? 0.5 * Math.sin(i * 0.3) : 0));
      mix[i] = s;
      mix[n + i] = s;
    }

    InferResult r = await(client.infer(InferRequest.of("htdemucs", Tensor.fp32("mix", new long[] {1, 2, n}, mix))));

    Tensor stems = r.output("stems");
    assertThat(stems.shape()).containsExactly(1, 4, 2, n);
    assertThat(stems.byteSize()).isGreaterThan(4L * 1024 * 1024);
    var f = stems.floats();
    double worst = 0;
    for (int i = 0; i < 2 * n; i += 97) {
      double sum = f.get(i) + f.get(2 * n + i) + f.get(4 * n + i) + f.get(6 * n + i);
      worst = Math.max(worst, Math.abs(sum - mix[i]));
    }
    assertThat(worst).isLessThan(1e-3);
  }
}
