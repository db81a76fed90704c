package io.songmap.inference.cpu;

import io.grpc.stub.ServerCallStreamObserver;
import io.songmap.inference.triton.v2.ModelInferResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A validated request waiting in a model's queue: its inputs (batch dimension first, views of the
 * request message), the outputs it wants, and its scheduling parameters.
 */
record PendingRequest(
    long sequence,
    String id,
    Map<String, HostTensor> inputs,
    int batchSize,
    List<String> requestedOutputs,
    long priority,
    long timeoutNanos,
    long arrivalNanos,
    ServerCallStreamObserver<ModelInferResponse> responder) {

  boolean cancelled() {
    return responder.isCancelled();
  }

  boolean timedOut(long now) {
    return timeoutNanos > 0 && now - arrivalNanos > timeoutNanos;
  }

  /** Requests can share a batch when every input has the same dims after the batch dimension. */
  boolean batchesWith(PendingRequest other) {
    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
      long[] a = e.getValue().shape();
      long[] b = other.inputs.get(e.getKey()).shape();
      if (!Arrays.equals(a, 1, a.length, b, 1, b.length)) {
        return false;
      }
    }
    return true;
  }
}
