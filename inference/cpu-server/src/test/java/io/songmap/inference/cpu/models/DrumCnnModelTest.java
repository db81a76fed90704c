package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.inference.cpu.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DrumCnnModelTest {

  private static DrumCnnModel model;

  @BeforeAll
  static void load() {
    model = new DrumCnnModel();
  }

  @AfterAll
  static void close() throws Exception {
    model.close();
  }

  @Test
  void servesTheKerasContract() {
    assertThat(model.notReadyReason()).isEmpty();
    assertThat(model.inputs()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("conv2d_input");
      assertThat(s.dims()).containsExactly(128, 18, 1);
    });
    assertThat(model.outputs()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("dense_2");
      assertThat(s.dims()).containsExactly(6);
    });
  }

  /** Reference outputs: the Keras model evaluated in numpy from the HDF5 weights (verify_onnx.py). */
  @Test
  void onnxRuntimeMatchesTheNumpyForwardPassOfTheKerasWeights() throws Exception {
    float[] inputs = floats("/drum_cnn/reference-inputs-6x128x18x1.f32");
    float[] expected = floats("/drum_cnn/reference-outputs-6x6.f32");

    Map<String, HostTensor> out = model.infer(Map.of(DrumCnnModel.INPUT, HostTensor.fp32(new long[] {6, 128, 18, 1}, inputs)));

    HostTensor scores = out.get(DrumCnnModel.OUTPUT);
    assertThat(scores.shape()).containsExactly(6, 6);
    float[] actual = scores.toFloatArray();
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    }
    System.out.printf("drum_cnn: max abs difference ONNX Runtime vs numpy reference = %.3g%n", maxDiff);
    assertThat(maxDiff).isLessThan(1e-4);
  }

  @Test
  void rejectsAWrongShape() {
    HostTensor wrong = HostTensor.fp32(new long[] {1, 128, 17, 1}, new float[128 * 17]);
    assertThatThrownBy(() -> model.infer(Map.of(DrumCnnModel.INPUT, wrong)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[B,128,18,1]");
  }

  static float[] floats(String resource) throws IOException {
    try (InputStream in = DrumCnnModelTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      float[] f = new float[b.remaining() / 4];
      b.asFloatBuffer().get(f);
      return f;
    }
  }
}
