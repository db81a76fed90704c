package io.songmap.inference.triton;

import java.util.List;
import java.util.Objects;

/**
 * What a caller expects of a served model: its name, whether it batches along a leading dimension,
 * and its tensors' names, datatypes and dims (without the batch dimension; -1 for a dimension the
 * caller lets vary).
 */
public record ModelContract(String name, String version, boolean batched, List<TensorContract> inputs, List<TensorContract> outputs) {

  public ModelContract {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("contract for '" + name + "' needs at least one input and one output");
    }
  }

  /** A batching model, any version. */
  public static ModelContract batched(String name, List<TensorContract> inputs, List<TensorContract> outputs) {
    return new ModelContract(name, "", true, inputs, outputs);
  }

  /** A tensor expected by a contract. */
  public record TensorContract(String name, Datatype datatype, long[] dims) {
    public TensorContract {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(datatype, "datatype");
      dims = dims.clone();
    }

    public static TensorContract of(String name, Datatype datatype, long... dims) {
      return new TensorContract(name, datatype, dims);
    }

    @Override
    public long[] dims() {
      return dims.clone();
    }

    @Override
    public String toString() {
      return name + " " + datatype + " " + Shapes.format(dims);
    }
  }
}
