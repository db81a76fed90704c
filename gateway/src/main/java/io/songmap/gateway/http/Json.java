package io.songmap.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/** Reading request bodies and parameters, with failures as 400/422 answers. */
public final class Json {
  private Json() {
  }

  /** The body as a JSON object; an empty body is an empty object. */
  public static JsonObject object(RoutingContext ctx) {
    return ctx.body() == null ? new JsonObject() : object(ctx.body().buffer());
  }

  public static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
  }

  /** Reads a (paused) request's body, failing with 413 past {@code limit} bytes. */
  public static Future<Buffer> read(HttpServerRequest request, int limit) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        done.tryFail(new ApiError(413, "BODY_TOO_LARGE", "the body is larger than " + limit + " bytes"));
      } else if (!done.future().isComplete()) {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(done::tryFail);
    request.endHandler(v -> done.tryComplete(body));
    request.resume();
    return done.future();
  }

  /** A field holding an object of strings, empty when absent. */
  public static Map<String, String> stringMap(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiError.unprocessable("INVALID_" + field.toUpperCase(java.util.Locale.ROOT),
          field + " must be an object of strings");
    }
    Map<String, String> out = new HashMap<>();
    for (String k : o.fieldNames()) {
      if (!(o.getValue(k) instanceof String s)) {
        throw ApiError.unprocessable("INVALID_" + field.toUpperCase(java.util.Locale.ROOT),
            field + " must be an object of strings");
      }
      out.put(k, s);
    }
    return out;
  }

  /** An optional integer parameter, 0 when absent. */
  public static int intOf(String value, String name) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be an integer");
    }
  }
}
