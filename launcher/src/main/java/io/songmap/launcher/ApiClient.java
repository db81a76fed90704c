package io.songmap.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's {@code /api/v1} over the JDK's HTTP client: every call carries the tenant's API key, every error
 * answer becomes an {@link ApiException} with the gateway's code and message.
 */
final class ApiClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final URI api;
  private final String key;
  private final HttpClient http;

  /**
   * @param baseUrl the gateway, e.g. {@code http://localhost:8080} ({@code /api/v1} is added unless present)
   * @param key     the tenant's API key ({@code smk_...})
   */
  ApiClient(String baseUrl, String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException(
          "an API key is needed: --key or SONGMAP_API_KEY (songmap tenants create <name> makes one)");
    }
    String base = baseUrl.trim().replaceAll("/+$", "");
    if (!base.endsWith("/api/v1")) {
      base += "/api/v1";
    }
    URI uri;
    try {
      uri = URI.create(base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--api is not a URL: " + baseUrl);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("--api must be an http or https URL: " + baseUrl);
    }
    this.api = uri;
    this.key = key.trim();
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** An error answer of the gateway, or no answer at all ({@code status} 0). */
  static final class ApiException extends RuntimeException {
    final int status;
    final String code;
    final OptionalLong retryAfterSeconds;

    ApiException(int status, String code, String message, OptionalLong retryAfterSeconds) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public String toString() {
      return (status == 0 ? "" : "HTTP " + status + " ") + code + ": " + getMessage();
    }
  }

  /** A submission's answer: the job, and whether this request made it (202) or an earlier one did (200). */
  record Submitted(JsonObject job, boolean created) {}

  /**
   * Uploads {@code file} as {@code multipart/form-data}, streamed from disk: the body is the part headers, the
   * file's bytes as the publisher reads them, and the closing boundary.
   */
  Submitted submitFile(Path file, String idempotencyKey, List<String> outputs, Integer priority) throws IOException {
    String boundary = "songmap-" + UUID.randomUUID();
    StringBuilder head = new StringBuilder();
    if (!outputs.isEmpty()) {
      head.append(formField(boundary, "outputs", String.join(",", outputs)));
    }
    if (priority != null) {
      head.append(formField(boundary, "priority", priority.toString()));
    }
    String fileName = file.getFileName().toString().replace("\"", "_").replace("\r", "_").replace("\n", "_");
    head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(fileName).append("\"\r\n")
        .append("Content-Type: ").append(contentType(fileName)).append("\r\n\r\n");
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8),
        HttpRequest.BodyPublishers.ofFile(file),
        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8));
    HttpRequest.Builder request = request("/jobs").header("Content-Type", "multipart/form-data; boundary=" + boundary)
        // An upload takes as long as the bytes take; the gateway bounds its size.
        .timeout(Duration.ofHours(1))
        .POST(body);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> response = send(request.build());
    return new Submitted(json(response), response.statusCode() == 202);
  }

  /** Submits the song at {@code sourceUrl}, which the gateway fetches itself. */
  Submitted submitUrl(String sourceUrl, String idempotencyKey, List<String> outputs, Integer priority) {
    JsonObject body = new JsonObject().put("sourceUrl", sourceUrl);
    if (!outputs.isEmpty()) {
      body.put("outputs", new io.vertx.core.json.JsonArray(outputs));
    }
    if (priority != null) {
      body.put("priority", priority);
    }
    HttpRequest.Builder request = request("/jobs").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> response = send(request.build());
    return new Submitted(json(response), response.statusCode() == 202);
  }

  JsonObject job(String jobId) {
    return json(send(request("/jobs/" + segment(jobId)).GET().build()));
  }

  /** One page of the tenant's jobs, newest first; {@code cursor} is the previous page's {@code nextCursor}. */
  JsonObject jobs(String state, String cursor, int limit) {
    StringBuilder q = new StringBuilder("/jobs?limit=").append(limit);
    if (state != null) {
      q.append("&state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8));
    }
    if (cursor != null) {
      q.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    return json(send(request(q.toString()).GET().build()));
  }

  JsonObject reprocess(String jobId, String fromStage, Map<String, String> models) {
    JsonObject body = new JsonObject().put("fromStage", fromStage);
    if (!models.isEmpty()) {
      body.put("models", new JsonObject(Map.copyOf(models)));
    }
    return json(send(request("/jobs/" + segment(jobId) + "/reprocess").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build()));
  }

  /**
   * Opens the job's event stream from version {@code from}. The key goes in {@code access_token}, which the gateway
   * takes on upgrades for clients that cannot set headers, and which survives proxies that drop them.
   */
  CompletableFuture<WebSocket> events(String jobId, long from, WebSocket.Listener listener) {
    URI uri = URI.create(api.toString().replaceFirst("^http", "ws") + "/jobs/" + segment(jobId) + "/events?from="
        + from + "&access_token=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
    return http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).buildAsync(uri, listener);
  }

  URI api() {
    return api;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(api + path)).timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + key).header("Accept", "application/json");
  }

  private HttpResponse<String> send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ApiException(0, "UNREACHABLE", "no answer from " + api + ": " + describe(e), OptionalLong.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "INTERRUPTED", "interrupted while calling " + api, OptionalLong.empty());
    }
    if (response.statusCode() >= 400) {
      String code = "HTTP_" + response.statusCode();
      String message = response.body();
      try {
        JsonObject error = new JsonObject(response.body());
        code = error.getString("code", code);
        message = error.getString("message", message);
      } catch (DecodeException | ClassCastException notJson) {
        // a proxy's page, not the gateway's error: keep the body as the message
      }
      OptionalLong retryAfter = response.headers().firstValue("Retry-After").flatMap(ApiClient::seconds)
          .map(OptionalLong::of).orElse(OptionalLong.empty());
      throw new ApiException(response.statusCode(), code, message, retryAfter);
    }
    return response;
  }

  private static java.util.Optional<Long> seconds(String value) {
    try {
      return java.util.Optional.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static JsonObject json(HttpResponse<String> response) {
    try {
      return new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new ApiException(response.statusCode(), "BAD_ANSWER", "the gateway's answer is not JSON: "
          + abbreviate(response.body()), OptionalLong.empty());
    }
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static String segment(String jobId) {
    return URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String formField(String boundary, String name, String value) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }

  static String contentType(String fileName) {
    String lower = fileName.toLowerCase(java.util.Locale.ROOT);
    int dot = lower.lastIndexOf('.');
    String ext = dot < 0 ? "" : lower.substring(dot + 1);
    return switch (ext) {
      case "mp3" -> "audio/mpeg";
      case "wav" -> "audio/wav";
      case "flac" -> "audio/flac";
      case "ogg", "opus" -> "audio/ogg";
      case "m4a", "aac", "mp4" -> "audio/mp4";
      default -> "application/octet-stream";
    };
  }

  static boolean isLocalFile(String arg) {
    return !arg.matches("(?i)^https?://.*") && Files.exists(Path.of(arg));
  }
}
