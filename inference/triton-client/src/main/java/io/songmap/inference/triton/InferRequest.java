package io.songmap.inference.triton;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One inference call.
 *
 * @param model model name in the repository
 * @param version model version; empty lets the server choose
 * @param id request id echoed by the server; empty for none
 * @param inputs input tensors, sent as raw contents in this order
 * @param outputs names of the outputs wanted; empty for all
 * @param priority Triton request priority (1 is highest); 0 uses the model's default
 * @param timeout Triton's server-side queue timeout ({@code timeout} parameter, microseconds on the
 *     wire); empty for none
 * @param deadline overall deadline for this call, retries included; empty uses the client's
 */
public record InferRequest(
    String model,
    String version,
    String id,
    List<Tensor> inputs,
    List<String> outputs,
    long priority,
    Optional<Duration> timeout,
    Optional<Duration> deadline) {

  public InferRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(id, "id");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(deadline, "deadline");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model name is blank");
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("request for '" + model + "' has no inputs");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority must be >= 0, got " + priority);
    }
    timeout.ifPresent(t -> requirePositive("timeout", t));
    deadline.ifPresent(d -> requirePositive("deadline", d));
  }

  /** A request for the latest version of {@code model}, all outputs, default priority. */
  public static InferRequest of(String model, Tensor... inputs) {
    return new InferRequest(model, "", "", List.of(inputs), List.of(), 0, Optional.empty(), Optional.empty());
  }

  public InferRequest withOutputs(String... names) {
    return new InferRequest(model, version, id, inputs, List.of(names), priority, timeout, deadline);
  }

  public InferRequest withVersion(String v) {
    return new InferRequest(model, v, id, inputs, outputs, priority, timeout, deadline);
  }

  public InferRequest withId(String requestId) {
    return new InferRequest(model, version, requestId, inputs, outputs, priority, timeout, deadline);
  }

  public InferRequest withPriority(long p) {
    return new InferRequest(model, version, id, inputs, outputs, p, timeout, deadline);
  }

  public InferRequest withTimeout(Duration t) {
    return new InferRequest(model, version, id, inputs, outputs, priority, Optional.of(t), deadline);
  }

  public InferRequest withDeadline(Duration d) {
    return new InferRequest(model, version, id, inputs, outputs, priority, timeout, Optional.of(d));
  }

  private static void requirePositive(String what, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
