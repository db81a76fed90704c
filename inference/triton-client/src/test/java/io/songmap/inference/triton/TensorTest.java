package io.songmap.inference.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void fp16RoundTripsRepresentableValuesExactly() {
    float[] values = {0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, Float.POSITIVE_INFINITY};

    Tensor t = Tensor.fp16("h", new long[] {values.length}, values);

    assertThat(t.byteSize()).isEqualTo(values.length * 2L);
    assertThat(t.toFloatArray()).containsExactly(values);
  }

  @Test
  void fp16RoundsToNearestEven() {
    assertThat(Half.toFloat(Half.fromFloat(1.0004883f))).isEqualTo(1.0f);      // exactly half an ulp above 1: ties to even
    assertThat(Half.toFloat(Half.fromFloat(1.0009766f))).isEqualTo(1.0009766f); // one ulp
    assertThat(Half.toFloat(Half.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
  }

  @Test
  void contentsMustMatchTheShape() {
    assertThatThrownBy(() -> Tensor.fp32("x", new long[] {2, 2}, new float[3]))
        .hasMessageContaining("'x'").hasMessageContaining("16 bytes, got 12");
  }

  @Test
  void retryBackoffGrowsAndIsCapped() {
    TritonClientConfig.RetryPolicy p = new TritonClientConfig.RetryPolicy(10,
        java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500), 2.0);

    assertThat(p.backoffAfter(1)).hasMillis(100);
    assertThat(p.backoffAfter(3)).hasMillis(400);
    assertThat(p.backoffAfter(6)).hasMillis(500);
  }

  @Test
  void configRejectsInconsistentSettings() {
    assertThatThrownBy(() -> TritonClientConfig.of("h:1").withMaxInboundMessageBytes(1024))
        .hasMessageContaining("maxInboundMessageBytes");
    assertThatThrownBy(() -> TritonClientConfig.fromEnv(java.util.Map.of("SONGMAP_TRITON_DEADLINE_MS", "soon")))
        .hasMessageContaining("SONGMAP_TRITON_DEADLINE_MS");
  }
}
