package io.songmap.inference.cpu;

import static io.songmap.inference.cpu.InferenceProtocolTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.InferResult;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.inference.triton.v2.ModelStatistics;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Concurrent requests for one model are combined along dim 0 and split back, each to its caller. */
class DynamicBatchingTest {

  private static InferRequest request(int i) {
    float[] a = {i, i + 1, i + 2, i + 3};
    float[] b = {100, 100, 100, 100};
    return InferRequest.of("add", Tensor.fp32("A", new long[] {1, 4}, a), Tensor.fp32("B", new long[] {1, 4}, b)).withId("req-" + i);
  }

  private static List<InferResult> sendConcurrently(TritonClient client, int n) throws Exception {
    List<Future<InferResult>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(client.infer(request(i)));
    }
    List<InferResult> results = new ArrayList<>();
    for (Future<InferResult> f : futures) {
      results.add(await(f));
    }
    return results;
  }

  private static void assertEachCallerGotItsOwnAnswer(List<InferResult> results) {
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).id()).isEqualTo("req-" + i);
      assertThat(results.get(i).output("SUM").shape()).containsExactly(1, 4);
      assertThat(results.get(i).output("SUM").toFloatArray()).containsExactly(100 + i, 101 + i, 102 + i, 103 + i);
    }
  }

  @Test
  void concurrentRequestsShareBatches() throws Exception {
    TestModels.Add add = new TestModels.Add();
    CpuServerConfig config = CpuServerConfig.defaults(0).withWorkers(1, 1)
        .withBatching(CpuServerConfig.Batching.DEFAULT.withMaxQueueDelay(Duration.ofMillis(100)));
    try (CpuServer server = CpuServer.start(config, List.of(add));
        TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()))) {

      List<InferResult> results = sendConcurrently(client, 8);

      assertEachCallerGotItsOwnAnswer(results);
      assertThat(add.batchSizes).anyMatch(size -> size > 1);
      ModelStatistics s = await(client.modelStatistics("add", "")).getModelStats(0);
      assertThat(s.getInferenceCount()).isEqualTo(8);
      assertThat(s.getExecutionCount()).isLessThan(8).isEqualTo(add.batchSizes.size());
      assertThat(s.getInferenceStats().getSuccess().getCount()).isEqualTo(8);
      assertThat(s.getInferenceStats().getQueue().getCount()).isEqualTo(8);
    }
  }

  @Test
  void reachingThePreferredSizeRunsWithoutWaitingOutTheDelay() throws Exception {
    TestModels.Add add = new TestModels.Add();
    CpuServerConfig config = CpuServerConfig.defaults(0).withWorkers(1, 1)
        .withBatching(CpuServerConfig.Batching.DEFAULT.withMaxQueueDelay(Duration.ofSeconds(5)).withPreferredBatchSizes(List.of(4)));
    try (CpuServer server = CpuServer.start(config, List.of(add));
        TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()))) {
      long start = System.nanoTime();

      List<InferResult> results = sendConcurrently(client, 4);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertEachCallerGotItsOwnAnswer(results);
      assertThat(add.batchSizes).containsExactly(4L);
    }
  }

  @Test
  void aRequestArrivingAfterAFullBatchStillRunsWhenItsDelayEnds() throws Exception {
    TestModels.Add add = new TestModels.Add();
    CpuServerConfig config = CpuServerConfig.defaults(0).withWorkers(1, 1)
        .withBatching(CpuServerConfig.Batching.DEFAULT.withMaxQueueDelay(Duration.ofMillis(200)).withPreferredBatchSizes(List.of(2)));
    try (CpuServer server = CpuServer.start(config, List.of(add));
        TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()))) {
      // 0 and 1 fill a batch of the preferred size at once; 2 arrives later and waits alone. The
      // timer armed for 0 fires first and must re-arm for 2 rather than leave it queued.
      Future<InferResult> first = client.infer(request(0));
      Future<InferResult> second = client.infer(request(1));
      await(first);
      await(second);
      Thread.sleep(50);
      long start = System.nanoTime();

      InferResult late = await(client.infer(request(2).withDeadline(Duration.ofSeconds(3))));

      assertThat(late.output("SUM").toFloatArray()).containsExactly(102, 103, 104, 105);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void withBatchingOffEveryRequestRunsAlone() throws Exception {
    TestModels.Add add = new TestModels.Add();
    CpuServerConfig config = CpuServerConfig.defaults(0).withWorkers(1, 1).withBatching(CpuServerConfig.Batching.OFF);
    try (CpuServer server = CpuServer.start(config, List.of(add));
        TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()))) {

      List<InferResult> results = sendConcurrently(client, 8);

      assertEachCallerGotItsOwnAnswer(results);
      assertThat(add.batchSizes).hasSize(8).containsOnly(1L);
      assertThat(await(client.modelConfig("add", "")).hasDynamicBatching()).isFalse();
    }
  }
}
