package io.songmap.inference.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.songmap.inference.triton.InferMessages;
import io.songmap.inference.triton.v2.GRPCInferenceServiceGrpc;
import io.songmap.inference.triton.v2.InferTensorContents;
import io.songmap.inference.triton.v2.ModelInferRequest;
import io.songmap.inference.triton.v2.ModelInferResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import io.songmap.inference.triton.health.v1.HealthCheckResponse.ServingStatus;
import io.songmap.inference.triton.v2.ModelConfig;
import io.songmap.inference.triton.v2.ModelStatistics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client against the CPU server over a real socket: every datatype, sizes, errors, readiness. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceProtocolTest {
  private CpuServer server;
  private TritonClient client;
  private SimpleMeterRegistry metrics;

  @BeforeAll
  void start() {
    server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(2, 1),
        List.of(new TestModels.Add(), new TestModels.Types(), new TestModels.Large(), new TestModels.Slow(), new TestModels.GpuOnly()));
    metrics = new SimpleMeterRegistry();
    client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()), metrics);
  }

  @AfterAll
  void stop() {
    client.close();
    server.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Nested
  class Tensors {
    @Test
    void fp32() throws Exception {
      InferResult r = await(client.infer(InferRequest.of("add",
          Tensor.fp32("A", new long[] {2, 4}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}),
          Tensor.fp32("B", new long[] {2, 4}, new float[] {1, 1, 1, 1, 2, 2, 2, 2})).withId("r-1")));

      assertThat(r.model()).isEqualTo("add");
      assertThat(r.version()).isEqualTo("1");
      assertThat(r.id()).isEqualTo("r-1");
      assertThat(r.output("SUM").shape()).containsExactly(2, 4);
      assertThat(r.output("SUM").toFloatArray()).containsExactly(2, 3, 4, 5, 7, 8, 9, 10);
      assertThat(r.output("DIFF").toFloatArray()).containsExactly(0, 1, 2, 3, 3, 4, 5, 6);
    }

    @Test
    void onlyRequestedOutputsComeBack() throws Exception {
      InferResult r = await(client.infer(InferRequest.of("add",
          Tensor.fp32("A", new long[] {1, 4}, new float[] {1, 2, 3, 4}),
          Tensor.fp32("B", new long[] {1, 4}, new float[] {4, 3, 2, 1})).withOutputs("DIFF")));

      assertThat(r.outputs().keySet()).containsExactly("DIFF");
      assertThat(r.output("DIFF").toFloatArray()).containsExactly(-3, -1, 1, 3);
    }

    @Test
    void int32Int64Fp16AndBytes() throws Exception {
      InferResult r = await(client.infer(InferRequest.of("types",
          Tensor.int32("I32", new long[] {2, 2}, new int[] {1, -2, Integer.MAX_VALUE - 1, 0}),
          Tensor.int64("I64", new long[] {2, 2}, new long[] {1L << 40, -3, 7, 0}),
          Tensor.fp16("H", new long[] {2, 3}, new float[] {0.5f, -1.25f, 1024f, 3f, 0f, -0.125f}),
          Tensor.strings("S", new long[] {2, 2}, List.of("drums", "", "bass", "vocals!")))));

      assertThat(r.output("I32_OUT").toIntArray()).containsExactly(2, -1, Integer.MAX_VALUE, 1);
      assertThat(r.output("I64_OUT").toLongArray()).containsExactly(1L << 41, -6, 14, 0);
      assertThat(r.output("H_OUT").datatype()).isEqualTo(Datatype.FP16);
      assertThat(r.output("H_OUT").toFloatArray()).containsExactly(0.5f, -1.25f, 1024f, 3f, 0f, -0.125f);
      assertThat(r.output("S_OUT").toStrings()).containsExactly("smurd", "", "ssab", "!slacov");
    }

    @Test
    void responseLargerThanFourMebibytes() throws Exception {
      InferResult r = await(client.infer(InferRequest.of("large", Tensor.fp32("V", new long[] {1, 1}, new float[] {0.25f}))));

      Tensor out = r.output("OUT");
      assertThat(out.byteSize()).isEqualTo(TestModels.Large.N * 4L).isGreaterThan(4L * 1024 * 1024);
      assertThat(out.floats().get(0)).isEqualTo(0.25f);
      assertThat(out.floats().get(TestModels.Large.N - 1)).isEqualTo(0.25f);
    }
  }

  @Nested
  class OtherClients {
    /** A KServe client that sends typed contents (allowed by the protocol) gets the same answer. */
    @Test
    void typedContentsAreAcceptedAndAnsweredRaw() {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
      try {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("add");
        b.addInputsBuilder().setName("A").setDatatype("FP32").addShape(1).addShape(4)
            .setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f, 4f)));
        b.addInputsBuilder().setName("B").setDatatype("FP32").addShape(1).addShape(4)
            .setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 1f, 1f, 1f)));

        ModelInferResponse response = GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(b.build());

        assertThat(response.getRawOutputContentsCount()).isEqualTo(2);
        assertThat(InferMessages.fromProto(response).output("SUM").toFloatArray()).containsExactly(2, 3, 4, 5);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Nested
  class Failures {
    @Test
    void deadlineExpires() {
      long start = System.nanoTime();

      assertThatThrownBy(() -> await(client.infer(InferRequest.of("slow", Tensor.int32("MS", new long[] {1}, new int[] {3000}))
          .withDeadline(Duration.ofMillis(300)))))
          .isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(e.model()).isEqualTo("slow");
            assertThat(e.retryable()).isFalse();
          });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void modelThatIsNotReadyAnswersWithItsReasonAndNoOutput() {
      assertThatThrownBy(() -> await(client.infer(InferRequest.of("gpu_only", Tensor.fp32("X", new long[] {1, 3}, new float[3])))))
          .isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("gpu_only").contains(TestModels.GpuOnly.REASON);
          });
    }

    @Test
    void unknownModel() {
      assertThatThrownBy(() -> await(client.infer(InferRequest.of("nope", Tensor.fp32("X", new long[] {1}, new float[1])))))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND))
          .hasMessageContaining("'nope'");
    }

    @Test
    void wrongShapeIsRefusedBeforeQueuing() {
      assertThatThrownBy(() -> await(client.infer(InferRequest.of("add",
          Tensor.fp32("A", new long[] {1, 3}, new float[3]), Tensor.fp32("B", new long[] {1, 3}, new float[3])))))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("input 'A' has shape [1,3], expected [-1,4]");
    }

    @Test
    void batchLargerThanTheModelAllows() {
      assertThatThrownBy(() -> await(client.infer(InferRequest.of("add",
          Tensor.fp32("A", new long[] {9, 4}, new float[36]), Tensor.fp32("B", new long[] {9, 4}, new float[36])))))
          .hasMessageContaining("batch size 9").hasMessageContaining("1..8");
    }

    @Test
    void queueTimeoutParameterExpiresWaitingRequests() throws Exception {
      // slow runs one request at a time (one instance), so the second waits behind the first.
      Future<InferResult> first = client.infer(InferRequest.of("slow", Tensor.int32("MS", new long[] {1}, new int[] {400})));
      Thread.sleep(50);
      Future<InferResult> second = client.infer(InferRequest.of("slow", Tensor.int32("MS", new long[] {1}, new int[] {1}))
          .withTimeout(Duration.ofMillis(100)).withPriority(2));

      assertThatThrownBy(() -> await(second))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED))
          .hasMessageContaining("timeout");
      assertThat(await(first).output("MS_OUT").toIntArray()).containsExactly(400);
    }
  }

  @Nested
  class Contracts {
    private final ModelContract add = ModelContract.batched("add",
        List.of(TensorContract.of("A", Datatype.FP32, 4), TensorContract.of("B", Datatype.FP32, 4)),
        List.of(TensorContract.of("SUM", Datatype.FP32, 4)));

    @Test
    void matchingContractPasses() throws Exception {
      await(client.checkContract(List.of(add)));
    }

    @Test
    void wrongTensorContractNamesTheModelAndTheMismatch() {
      ModelContract wrong = ModelContract.batched("add",
          List.of(TensorContract.of("A", Datatype.FP32, 8), TensorContract.of("B", Datatype.FP16, 4)),
          List.of(TensorContract.of("TOTAL", Datatype.FP32, 4)));

      assertThatThrownBy(() -> await(client.checkContract(List.of(wrong))))
          .isInstanceOfSatisfying(ContractViolationException.class, e -> {
            assertThat(e.model()).isEqualTo("add");
            assertThat(e.mismatches()).containsExactly(
                "input 'A' has shape [-1,4] on the server, expected [-1,8]",
                "input 'B' is FP32 on the server, expected FP16",
                "output 'TOTAL' is missing; the server has [SUM, DIFF]");
          })
          .hasMessageStartingWith("model 'add' does not match the expected contract");
    }

    @Test
    void missingModelFailsAtStart() {
      ModelContract missing = ModelContract.batched("htdemucs_v9",
          List.of(TensorContract.of("mix", Datatype.FP32, 2, 343980)), List.of(TensorContract.of("stems", Datatype.FP32, 4, 2, 343980)));

      assertThatThrownBy(() -> await(client.checkContract(List.of(add, missing))))
          .isInstanceOf(ContractViolationException.class)
          .hasMessageContaining("'htdemucs_v9'").hasMessageContaining("not served by localhost:" + server.port());
    }

    @Test
    void modelThatIsNotReadyFailsAtStartWithItsReason() {
      ModelContract gpu = ModelContract.batched("gpu_only",
          List.of(TensorContract.of("X", Datatype.FP32, -1)), List.of(TensorContract.of("Y", Datatype.BYTES, 1)));

      assertThatThrownBy(() -> await(client.checkContract(List.of(gpu))))
          .isInstanceOf(ContractViolationException.class)
          .hasMessageContaining("'gpu_only'").hasMessageContaining("UNAVAILABLE").hasMessageContaining(TestModels.GpuOnly.REASON);
    }

    @Test
    void readinessAndHealth() throws Exception {
      assertThat(await(client.serverLive())).isTrue();
      assertThat(await(client.serverReady())).isTrue();
      assertThat(await(client.modelReady("add", ""))).isTrue();
      assertThat(await(client.modelReady("add", "1"))).isTrue();
      assertThat(await(client.modelReady("add", "2"))).isFalse();
      assertThat(await(client.modelReady("gpu_only", ""))).isFalse();
      assertThat(await(client.health(""))).isEqualTo(ServingStatus.SERVING);
      assertThat(await(client.health("add"))).isEqualTo(ServingStatus.SERVING);
      assertThat(await(client.health("gpu_only"))).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @Test
    void modelConfigUsesTritonsShape() throws Exception {
      ModelConfig c = await(client.modelConfig("add", ""));

      assertThat(c.getMaxBatchSize()).isEqualTo(8);
      assertThat(c.getInput(0).getName()).isEqualTo("A");
      assertThat(c.getInput(0).getDataType().name()).isEqualTo("TYPE_FP32");
      assertThat(c.getInput(0).getDimsList()).containsExactly(4L);
      assertThat(c.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(2000);
      assertThat(await(client.modelConfig("types", "")).getOutput(3).getDataType().name()).isEqualTo("TYPE_STRING");
    }
  }

  @Nested
  class ClientBehaviour {
    @Test
    void completesOnTheCallersVertxContext() throws Exception {
      Vertx vertx = Vertx.vertx();
      try {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
        context.runOnContext(v -> client.infer(InferRequest.of("add",
                Tensor.fp32("A", new long[] {1, 4}, new float[4]), Tensor.fp32("B", new long[] {1, 4}, new float[4])))
            .onComplete(ar -> sameContext.complete(ar.succeeded() && Vertx.currentContext() == context)));

        assertThat(sameContext.get(10, TimeUnit.SECONDS)).isTrue();
      } finally {
        vertx.close();
      }
    }

    @Test
    void recordsPerModelLatencyAndErrors() throws Exception {
      await(client.infer(InferRequest.of("add",
          Tensor.fp32("A", new long[] {1, 4}, new float[4]), Tensor.fp32("B", new long[] {1, 4}, new float[4]))));
      try {
        await(client.infer(InferRequest.of("gpu_only", Tensor.fp32("X", new long[] {1, 1}, new float[1]))));
      } catch (InferenceException expected) {
        // counted below
      }

      assertThat(metrics.get("songmap.inference.client.calls").tags("model", "add", "rpc", "ModelInfer", "outcome", "OK").timer().count())
          .isPositive();
      assertThat(metrics.get("songmap.inference.client.calls").tags("model", "gpu_only", "outcome", "FAILED_PRECONDITION").timer().count())
          .isPositive();
    }

    @Test
    void statisticsCountRequestsAndExecutions() throws Exception {
      await(client.infer(InferRequest.of("types",
          Tensor.int32("I32", new long[] {1, 2}, new int[2]), Tensor.int64("I64", new long[] {1, 2}, new long[2]),
          Tensor.fp16("H", new long[] {1, 3}, new float[3]), Tensor.strings("S", new long[] {1, 2}, List.of("a", "b")))));

      ModelStatistics s = await(client.modelStatistics("types", "")).getModelStats(0);
      assertThat(s.getName()).isEqualTo("types");
      assertThat(s.getInferenceCount()).isPositive();
      assertThat(s.getExecutionCount()).isPositive();
      assertThat(s.getInferenceStats().getSuccess().getCount()).isPositive();
      assertThat(s.getInferenceStats().getComputeInfer().getNs()).isPositive();
      assertThat(s.getBatchStatsList()).isNotEmpty();
    }
  }
}
