package io.songmap.gateway.http;

import java.util.Map;

/**
 * A refusal the API answers with its own status and code, e.g. a missing key (401) or a limit (429). Domain
 * rejections are not wrapped in this: {@link ErrorTranslator} maps them by their codes.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, String> headers;

  public ApiError(int status, String code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  public ApiError(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, "BAD_REQUEST", message);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "NOT_FOUND", what + " not found");
  }

  public static ApiError unprocessable(String code, String message) {
    return new ApiError(422, code, message);
  }
}
