package io.songmap.inference.cpu;

import io.grpc.Status;

/** A request the server refuses before queuing it; carries the gRPC status to answer with. */
final class InvalidRequestException extends Exception {
  private final Status status;

  InvalidRequestException(Status status) {
    super(status.getDescription(), null, false, false);
    this.status = status;
  }

  static InvalidRequestException invalid(String message) {
    return new InvalidRequestException(Status.INVALID_ARGUMENT.withDescription(message));
  }

  Status status() {
    return status;
  }
}
