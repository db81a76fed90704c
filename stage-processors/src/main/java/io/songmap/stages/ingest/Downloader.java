package io.songmap.stages.ingest;

import io.songmap.job.ErrorCode;
import io.songmap.stages.Stages;
import io.songmap.stages.Stages.Failure;
import io.songmap.stages.runtime.StageContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * Downloads an http(s) source into the work directory without holding it in memory: the body is
 * piped to a file with backpressure, stops at the size limit, and the whole transfer (redirects
 * included) must finish within the download timeout.
 *
 * <p>Codes: 404, 410 and other 4xx answers are SOURCE_NOT_FOUND (retrying will not change them);
 * 408, 429, 5xx and unreachable hosts are STORAGE_UNAVAILABLE, retryable, since the source is where
 * the song is stored and may come back; a transfer past the time limit is TIMEOUT; a file past the
 * size limit is INPUT_INVALID.
 */
final class Downloader {

  private final Vertx vertx;
  private final Stages.Settings settings;
  private final HttpClientAgent http;

  Downloader(Vertx vertx, Stages.Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    HttpClientOptions options = new HttpClientOptions().setMaxRedirects(5).setDecompressionSupported(false);
    options.setConnectTimeout((int) settings.downloadConnectTimeout().toMillis());
    this.http = vertx.createHttpClient(options);
  }

  /** A downloaded file and the name of what it is, from the URL the last redirect led to. */
  record Downloaded(Path file, String name) {}

  Future<Downloaded> download(String url, StageContext ctx) {
    URI uri = parse(url);
    Path file = settings.workDir().resolve("download-" + UUID.randomUUID() + ".part");
    return ctx.executeBlocking(() -> Files.createDirectories(settings.workDir()))
        .compose(v -> transfer(uri, file, ctx))
        .recover(e -> ctx.executeBlocking(() -> Files.deleteIfExists(file))
            .transform(ignored -> Future.failedFuture(classify(e, uri))));
  }

  private Future<Downloaded> transfer(URI uri, Path file, StageContext ctx) {
    Promise<Downloaded> result = Promise.promise();
    long timeoutMs = settings.downloadTimeout().toMillis();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(uri.toString())
        .setFollowRedirects(true)
        .setConnectTimeout(settings.downloadConnectTimeout().toMillis())
        .setIdleTimeout(timeoutMs);
    http.request(options).compose(request -> {
      long timer = vertx.setTimer(timeoutMs, id -> {
        if (result.tryFail(new Failure(ErrorCode.TIMEOUT, "downloading " + redacted(uri) + " took longer than "
            + settings.downloadTimeout()))) {
          request.reset();
        }
      });
      result.future().onComplete(ar -> vertx.cancelTimer(timer));
      return request.send();
    }).onFailure(result::tryFail).onSuccess(response -> receive(response, uri, file, ctx, result));
    return result.future();
  }

  private void receive(HttpClientResponse response, URI uri, Path file, StageContext ctx, Promise<Downloaded> result) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      result.tryFail(statusFailure(status, uri));
      response.request().reset();
      return;
    }
    long declared = parseLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared > settings.downloadMaxBytes()) {
      result.tryFail(tooLarge(uri, declared));
      response.request().reset();
      return;
    }
    response.pause();
    vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
        .onFailure(result::tryFail)
        .onSuccess(out -> pipe(response, out, uri, file, declared, ctx, result));
  }

  private void pipe(HttpClientResponse response, AsyncFile out, URI uri, Path file, long declared,
      StageContext ctx, Promise<Downloaded> result) {
    long[] received = {0};
    result.future().onFailure(e -> out.close());
    out.exceptionHandler(result::tryFail);
    response.exceptionHandler(result::tryFail);
    response.handler(chunk -> {
      if (result.future().isComplete()) {
        return;
      }
      received[0] += chunk.length();
      if (received[0] > settings.downloadMaxBytes()) {
        result.tryFail(tooLarge(uri, received[0]));
        response.request().reset();
        return;
      }
      out.write(chunk);
      if (declared > 0) {
        ctx.reportProgress(0.3 * received[0] / declared);
      }
      if (out.writeQueueFull()) {
        response.pause();
        out.drainHandler(v -> response.resume());
      }
    });
    response.endHandler(v -> {
      if (!result.future().isComplete()) {
        String name = fileName(response.request().absoluteURI());
        out.close().onSuccess(closed -> result.tryComplete(new Downloaded(file, name))).onFailure(result::tryFail);
      }
    });
    response.resume();
  }

  private static URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Failure(ErrorCode.INPUT_INVALID, "source.url is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Failure(ErrorCode.INPUT_INVALID, "source.url must be http or https, not '" + scheme + "'");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new Failure(ErrorCode.INPUT_INVALID, "source.url has no host: " + redacted(uri));
    }
    return uri;
  }

  private Failure tooLarge(URI uri, long bytes) {
    return new Failure(ErrorCode.INPUT_INVALID, redacted(uri) + " delivers " + (bytes > 0 ? "at least " + bytes : "more")
        + " bytes; the limit is " + settings.downloadMaxBytes() + " bytes");
  }

  private static Failure statusFailure(int status, URI uri) {
    String what = "downloading " + redacted(uri) + " answered HTTP " + status;
    if (status == 408 || status == 429 || status >= 500) {
      return new Failure(ErrorCode.STORAGE_UNAVAILABLE, what);
    }
    return new Failure(ErrorCode.SOURCE_NOT_FOUND, what);
  }

  private static Throwable classify(Throwable e, URI uri) {
    if (e instanceof Failure) {
      return e;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof UnknownHostException) {
      return new Failure(ErrorCode.SOURCE_NOT_FOUND, "unknown host in " + redacted(uri), e);
    }
    if (root instanceof TimeoutException || e instanceof TimeoutException) {
      return new Failure(ErrorCode.TIMEOUT, "downloading " + redacted(uri) + " timed out: " + e.getMessage(), e);
    }
    if (root instanceof ConnectException || root instanceof java.io.IOException
        || e instanceof io.vertx.core.VertxException) {
      return new Failure(ErrorCode.STORAGE_UNAVAILABLE, "cannot download " + redacted(uri) + ": " + e.getMessage(), e);
    }
    return e;
  }

  private static long parseLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The URL without its query and user info, which may hold credentials (presigned URLs). */
  static String redacted(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** The last path segment of the URL, decoded, or {@code source} when it has none. */
  static String fileName(String url) {
    try {
      String path = new URI(url).getRawPath();
      if (path != null) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        String decoded = URLDecoder.decode(last, StandardCharsets.UTF_8).strip();
        if (!decoded.isEmpty()) {
          return decoded.length() > 200 ? decoded.substring(decoded.length() - 200) : decoded;
        }
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // fall through
    }
    return "source";
  }
}
