package io.songmap.inference.cpu;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model contract the CPU server hosts under the same name, tensors and types as the Triton model
 * repository. Implementations are pure compute: the server owns batching, threads and the protocol.
 * {@link #infer} is called on a bounded worker thread with a whole batch (first dimension).
 */
public interface CpuModel extends AutoCloseable {

  /** Model name as in the Triton repository (e.g. {@code drum_cnn}). */
  String name();

  /** Version string reported in metadata (e.g. {@code 1}). */
  String version();

  /** Largest batch the model accepts in one call (Triton's max_batch_size); 0 means no batching. */
  int maxBatchSize();

  /** Input tensors, dims without the batch dimension; -1 marks a variable dim. */
  List<TensorSpec> inputs();

  /** Output tensors, dims without the batch dimension. */
  List<TensorSpec> outputs();

  /** Empty when the model can serve; otherwise why it cannot (reported as NOT READY). */
  Optional<String> notReadyReason();

  /**
   * Runs one batch. {@code inputs} maps every input name to its contents with the batch dimension
   * first; the result maps every output name to its contents, batch-first, same batch size.
   */
  Map<String, HostTensor> infer(Map<String, HostTensor> inputs) throws Exception;

  @Override
  default void close() throws Exception {}

  /** A tensor declared by a model: KServe datatype name ({@code FP32}, {@code INT64}, ...) and dims. */
  record TensorSpec(String name, String datatype, long[] dims) {}
}
