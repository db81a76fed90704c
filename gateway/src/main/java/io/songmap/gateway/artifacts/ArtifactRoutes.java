package io.songmap.gateway.artifacts;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /jobs/{id}/artifacts/{name}}: a job's result files with their content types, sent from the artifact
 * store's file with zero copy, whole or as one byte range. The key is built from the caller's tenant, so no
 * other tenant's file can be named.
 */
public final class ArtifactRoutes {
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("json", "application/json"),
      Map.entry("musicxml", "application/vnd.recordare.musicxml+xml"),
      Map.entry("xml", "application/vnd.recordare.musicxml+xml"),
      Map.entry("mxl", "application/vnd.recordare.musicxml"),
      Map.entry("mid", "audio/midi"),
      Map.entry("midi", "audio/midi"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("wav", "audio/wav"),
      Map.entry("mp3", "audio/mpeg"),
      Map.entry("flac", "audio/flac"),
      Map.entry("ogg", "audio/ogg"),
      Map.entry("m4a", "audio/mp4"));

  private final Tenants tenants;
  private final ArtifactStore store;

  public ArtifactRoutes(Tenants tenants, ArtifactStore store) {
    this.tenants = tenants;
    this.store = store;
  }

  public void mount(Router api) {
    api.get("/jobs/:id/artifacts/*").handler(ApiKeyAuth.create(tenants)).handler(this::download);
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  private void download(RoutingContext ctx) {
    String jobId = ctx.pathParam("id");
    String prefix = "/jobs/" + jobId + "/artifacts/";
    String path = ctx.normalizedPath();
    int at = path.indexOf(prefix);
    String name = at < 0 ? "" : path.substring(at + prefix.length());
    ArtifactKey key;
    try {
      key = new ArtifactKey(ApiKeyAuth.tenant(ctx), jobId, name);
    } catch (IllegalArgumentException e) {
      throw ApiError.notFound("artifact " + name);
    }
    store.stat(key).compose(info -> {
      if (info.isEmpty()) {
        return io.vertx.core.Future.failedFuture(ApiError.notFound("artifact " + name));
      }
      return store.localFile(key).map(file -> {
        send(ctx, file.toString(), info.get().size(), info.get().sha256(), name);
        return null;
      });
    }).onFailure(ctx::fail);
  }

  private static void send(RoutingContext ctx, String file, long size, String sha256, String name) {
    HttpServerResponse response = ctx.response()
        .putHeader("Content-Type", contentType(name))
        .putHeader("Accept-Ranges", "bytes")
        .putHeader("ETag", "\"" + sha256 + "\"");
    String range = ctx.request().getHeader("Range");
    if (range == null) {
      response.sendFile(file, 0, size);
      return;
    }
    ByteRange r = ByteRange.parse(range, size);
    if (r == null) {
      response.setStatusCode(416).putHeader("Content-Range", "bytes */" + size)
          .putHeader("Content-Type", "application/json")
          .end("{\"code\":\"RANGE_NOT_SATISFIABLE\",\"message\":\"the range is outside the file's " + size
              + " bytes\"}");
      return;
    }
    response.setStatusCode(206)
        .putHeader("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size)
        .sendFile(file, r.first(), r.length());
  }

  /** One byte range, inclusive, within a file. */
  record ByteRange(long first, long last) {
    long length() {
      return last - first + 1;
    }

    /**
     * The range a single-range {@code Range: bytes=...} header asks for; {@code null} when it cannot be
     * satisfied. Several ranges are answered with the first only.
     */
    static ByteRange parse(String header, long size) {
      String h = header.trim();
      if (!h.startsWith("bytes=") || size == 0) {
        return null;
      }
      String spec = h.substring(6).split(",")[0].trim();
      int dash = spec.indexOf('-');
      if (dash < 0) {
        return null;
      }
      try {
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        if (a.isEmpty()) {
          long suffix = Long.parseLong(b);
          return suffix <= 0 ? null : new ByteRange(Math.max(0, size - suffix), size - 1);
        }
        long first = Long.parseLong(a);
        long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
        return first > last || first >= size ? null : new ByteRange(first, last);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
