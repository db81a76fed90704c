package io.songmap.inference.triton;

import io.grpc.Status;

/**
 * A failed call to the inference server: the gRPC status code, the model it concerned, and the
 * server's description. {@link #retryable()} tells callers (and the client's own retry loop) whether
 * trying again later can help.
 */
public class InferenceException extends RuntimeException {
  private final Status.Code code;
  private final String model;

  public InferenceException(Status.Code code, String model, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.model = model;
  }

  public Status.Code code() {
    return code;
  }

  /** The model the call concerned; empty for server-level calls. */
  public String model() {
    return model;
  }

  /** True for UNAVAILABLE and RESOURCE_EXHAUSTED: the server may accept the same call later. */
  public boolean retryable() {
    return isRetryable(code);
  }

  static boolean isRetryable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED;
  }
}
