package io.songmap.inference.triton;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/** The outputs of one inference call, by name, in the order the server sent them. */
public record InferResult(String model, String version, String id, Map<String, Tensor> outputs) {

  public InferResult {
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /** The named output; the message lists the outputs present when it is missing. */
  public Tensor output(String name) {
    Tensor t = outputs.get(name);
    if (t == null) {
      throw new NoSuchElementException("model '" + model + "' returned no output '" + name + "'; outputs: " + outputs.keySet());
    }
    return t;
  }
}
