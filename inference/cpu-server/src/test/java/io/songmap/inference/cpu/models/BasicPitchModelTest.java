package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.inference.cpu.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BasicPitchModelTest {

  @Test
  void aSineAt440HzIsMidi69() throws Exception {
    try (BasicPitchModel model = new BasicPitchModel()) {
      assertThat(model.notReadyReason()).isEmpty();
      float[] audio = new float[43844];
      for (int i = 0; i < audio.length; i++) {
        audio[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 22050.0));
      }

      Map<String, HostTensor> out = model.infer(Map.of(BasicPitchModel.INPUT, HostTensor.fp32(new long[] {1, 43844, 1}, audio)));

      assertThat(out.get(BasicPitchModel.NOTE).shape()).containsExactly(1, 172, 88);
      assertThat(out.get(BasicPitchModel.ONSET).shape()).containsExactly(1, 172, 88);
      assertThat(out.get(BasicPitchModel.CONTOUR).shape()).containsExactly(1, 172, 264);
      float[] note = out.get(BasicPitchModel.NOTE).toFloatArray();
      // Sum the note activations over the frames away from the window edges.
      double[] perPitch = new double[88];
      for (int frame = 15; frame < 172 - 15; frame++) {
        for (int p = 0; p < 88; p++) {
          perPitch[p] += note[frame * 88 + p];
        }
      }
      int best = 0;
      for (int p = 1; p < 88; p++) {
        best = perPitch[p] > perPitch[best] ? p : best;
      }
      assertThat(best + 21).isEqualTo(69);
      assertThat(perPitch[best] / (172 - 30)).as("mean note activation at A4").isGreaterThan(0.5);
    }
  }
}
