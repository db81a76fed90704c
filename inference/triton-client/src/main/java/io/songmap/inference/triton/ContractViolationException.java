package io.songmap.inference.triton;

import java.util.List;

/** The server does not serve a model the way the caller expects; raised at start, before any work. */
public class ContractViolationException extends RuntimeException {
  private final String model;
  private final List<String> mismatches;

  public ContractViolationException(String model, List<String> mismatches) {
    super("model '" + model + "' does not match the expected contract: " + String.join("; ", mismatches));
    this.model = model;
    this.mismatches = List.copyOf(mismatches);
  }

  public String model() {
    return model;
  }

  public List<String> mismatches() {
    return mismatches;
  }
}
