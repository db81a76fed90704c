package io.songmap.inference.cpu;

import io.songmap.inference.triton.v2.InferBatchStatistics;
import io.songmap.inference.triton.v2.InferStatistics;
import io.songmap.inference.triton.v2.ModelStatistics;
import io.songmap.inference.triton.v2.StatisticDuration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cumulative statistics of one model with Triton's meaning: request counts and durations (success,
 * fail, queue, compute input/infer/output) per request; inference count in batch items; execution
 * count in model calls; and per batch size, the compute durations of the calls of that size.
 */
final class ModelStats {
  private final Duration success = new Duration();
  private final Duration fail = new Duration();
  private final Duration queue = new Duration();
  private final Duration computeInput = new Duration();
  private final Duration computeInfer = new Duration();
  private final Duration computeOutput = new Duration();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final AtomicLong lastInferenceMillis = new AtomicLong();
  private final Map<Integer, BatchDurations> byBatchSize = new ConcurrentSkipListMap<>();

  void succeeded(long totalNanos) {
    success.add(totalNanos);
  }

  void failed(long totalNanos) {
    fail.add(totalNanos);
  }

  void queued(long nanos) {
    queue.add(nanos);
  }

  /** One model call over {@code requests} requests holding {@code items} batch items. */
  void executed(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
    executionCount.increment();
    inferenceCount.add(items);
    lastInferenceMillis.set(System.currentTimeMillis());
    for (int i = 0; i < requests; i++) {
      computeInput.add(inputNanos);
      computeInfer.add(inferNanos);
      computeOutput.add(outputNanos);
    }
    BatchDurations b = byBatchSize.computeIfAbsent(items, k -> new BatchDurations());
    b.input.add(inputNanos);
    b.infer.add(inferNanos);
    b.output.add(outputNanos);
  }

  long executionCount() {
    return executionCount.sum();
  }

  long inferenceCount() {
    return inferenceCount.sum();
  }

  ModelStatistics toProto(String name, String version) {
    ModelStatistics.Builder b = ModelStatistics.newBuilder()
        .setName(name)
        .setVersion(version)
        .setLastInference(lastInferenceMillis.get())
        .setInferenceCount(inferenceCount.sum())
        .setExecutionCount(executionCount.sum())
        .setInferenceStats(InferStatistics.newBuilder()
            .setSuccess(success.toProto())
            .setFail(fail.toProto())
            .setQueue(queue.toProto())
            .setComputeInput(computeInput.toProto())
            .setComputeInfer(computeInfer.toProto())
            .setComputeOutput(computeOutput.toProto()));
    byBatchSize.forEach((size, d) -> b.addBatchStats(InferBatchStatistics.newBuilder()
        .setBatchSize(size)
        .setComputeInput(d.input.toProto())
        .setComputeInfer(d.infer.toProto())
        .setComputeOutput(d.output.toProto())));
    return b.build();
  }

  private static final class Duration {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void add(long ns) {
      count.increment();
      nanos.add(ns);
    }

    StatisticDuration toProto() {
      return StatisticDuration.newBuilder().setCount(count.sum()).setNs(nanos.sum()).build();
    }
  }

  private static final class BatchDurations {
    final Duration input = new Duration();
    final Duration infer = new Duration();
    final Duration output = new Duration();
  }
}
