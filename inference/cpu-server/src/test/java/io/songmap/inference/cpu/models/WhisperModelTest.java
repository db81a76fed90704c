package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.inference.cpu.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhisperModelTest {

  @Test
  void isNotReadyOnCpuAndSaysWhy() {
    WhisperModel model = new WhisperModel();
    assertThat(model.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("Triton").contains("GPU"));
    assertThat(model.inputs()).singleElement().satisfies(s -> assertThat(s.dims()).containsExactly(-1));
    assertThat(model.outputs()).singleElement().satisfies(s -> assertThat(s.datatype()).isEqualTo("BYTES"));
    assertThatThrownBy(() -> model.infer(Map.of(WhisperModel.INPUT, HostTensor.fp32(new long[] {1, 16000}, new float[16000]))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not ready");
  }
}
