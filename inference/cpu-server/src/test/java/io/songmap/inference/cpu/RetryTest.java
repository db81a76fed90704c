package io.songmap.inference.cpu;

import static io.songmap.inference.cpu.InferenceProtocolTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferResult;
import io.songmap.inference.triton.InferenceException;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.vertx.core.Future;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UNAVAILABLE is retried with backoff: a server that comes up during the retries answers the call. */
class RetryTest {
  private static final TritonClientConfig.RetryPolicy FAST = new TritonClientConfig.RetryPolicy(12,
      Duration.ofMillis(50), Duration.ofMillis(400), 2.0);

  private static InferRequest request() {
    return InferRequest.of("add", Tensor.fp32("A", new long[] {1, 4}, new float[] {1, 2, 3, 4}),
        Tensor.fp32("B", new long[] {1, 4}, new float[] {1, 1, 1, 1}));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void serverDownThenUpTheRetrySucceeds() throws Exception {
    int port = freePort();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + port).withRetry(FAST), metrics)) {
      Future<InferResult> call = client.infer(request());
      Thread.sleep(400);
      assertThat(call.isComplete()).isFalse();

      try (CpuServer server = CpuServer.start(CpuServerConfig.defaults(port).withWorkers(1, 1), List.of(new TestModels.Add()))) {
        assertThat(await(call).output("SUM").toFloatArray()).containsExactly(2, 3, 4, 5);
      }
      assertThat(metrics.get("songmap.inference.client.retries").tags("cause", "UNAVAILABLE").counter().count()).isPositive();
    }
  }

  @Test
  void givesUpAfterTheLastAttemptWithTheCodeAndCount() throws Exception {
    int port = freePort();
    TritonClientConfig.RetryPolicy three = new TritonClientConfig.RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(40), 2.0);
    try (TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + port).withRetry(three))) {
      assertThatThrownBy(() -> await(client.infer(request())))
          .isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.retryable()).isTrue();
          })
          .hasMessageContaining("after 3 attempts");
    }
  }

  @Test
  void closingTheClientEndsCallsThatWereWaitingToRetry() throws Exception {
    int port = freePort();
    TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + port).withRetry(FAST));
    Future<InferResult> call = client.infer(request());
    Thread.sleep(150);

    client.close();

    assertThatThrownBy(() -> await(call))
        .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void invalidArgumentIsNotRetried() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (CpuServer server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(1, 1), List.of(new TestModels.Add()));
        TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()).withRetry(FAST), metrics)) {
      assertThatThrownBy(() -> await(client.infer(InferRequest.of("add", Tensor.fp32("A", new long[] {1, 4}, new float[4])))))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageNotContaining("attempts");
      assertThat(metrics.find("songmap.inference.client.retries").counter()).isNull();
    }
  }
}
