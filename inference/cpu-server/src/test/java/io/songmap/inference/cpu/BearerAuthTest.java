package io.songmap.inference.cpu;

import static io.songmap.inference.cpu.InferenceProtocolTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferenceException;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.inference.triton.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's auth metadata reaches a server that requires it. */
class BearerAuthTest {

  private static InferRequest request() {
    return InferRequest.of("add", Tensor.fp32("A", new long[] {1, 4}, new float[4]), Tensor.fp32("B", new long[] {1, 4}, new float[4]));
  }

  @Test
  void callsCarryTheBearerToken() throws Exception {
    try (CpuServer server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(1, 1).withBearerToken("s3cret"), List.of(new TestModels.Add()));
        TritonClient withToken = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()).withBearerToken("s3cret"));
        TritonClient without = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()));
        TritonClient wrong = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()).withBearerToken("guess"))) {

      assertThat(await(withToken.infer(request())).output("SUM").toFloatArray()).containsExactly(0, 0, 0, 0);
      assertThatThrownBy(() -> await(without.infer(request())))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED))
          .hasMessageContaining("missing bearer token");
      assertThatThrownBy(() -> await(wrong.serverReady()))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(await(without.health(""))).isEqualTo(ServingStatus.SERVING);
    }
  }
}
