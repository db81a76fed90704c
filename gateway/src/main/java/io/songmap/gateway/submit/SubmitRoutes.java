package io.songmap.gateway.submit;

import io.songmap.artifacts.ArtifactInfo;
import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.ArtifactStore;
import io.songmap.artifacts.ArtifactTooLarge;
import io.songmap.gateway.auth.ApiKeyAuth;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.songmap.gateway.http.Json;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.gateway.status.JobStatusView;
import io.songmap.job.AudioSource;
import io.songmap.job.JobState;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /jobs}: a multipart upload streamed into the artifact store (never held in memory), or JSON naming
 * a source URL. With an {@code Idempotency-Key} the job id is derived from tenant and key, and a repeat answers
 * with the existing job (200) without reading the body again.
 */
public final class SubmitRoutes {
  /** Room for multipart boundaries and part headers around the file itself. */
  private static final long MULTIPART_SLACK = 64 * 1024;
  private static final int JSON_LIMIT = 64 * 1024;
  private static final Duration PROJECTION_WAIT = Duration.ofSeconds(2);

  /** Limits the routes enforce. */
  public record Limits(long maxUploadBytes, int maxActiveJobs, Duration retryAfter) {}

  private final Tenants tenants;
  private final Submissions submissions;
  private final JobStatusQueries status;
  private final ArtifactStore artifacts;
  private final SourceUrlPolicy urlPolicy;
  private final Limits limits;
  private final String base;

  public SubmitRoutes(Tenants tenants, Submissions submissions, JobStatusQueries status, ArtifactStore artifacts,
      SourceUrlPolicy urlPolicy, Limits limits, String base) {
    this.tenants = tenants;
    this.submissions = submissions;
    this.status = status;
    this.artifacts = artifacts;
    this.urlPolicy = urlPolicy;
    this.limits = limits;
    this.base = base;
  }

  public void mount(Router api) {
    // No body handler: a multipart body is streamed by upload(); only a bounded JSON body is read into memory.
    api.post("/jobs")
        .handler(ApiKeyAuth.beforeBody(tenants))
        .handler(this::byContentType);
  }

  private void byContentType(RoutingContext ctx) {
    String type = String.valueOf(ctx.request().getHeader("Content-Type")).toLowerCase(Locale.ROOT);
    if (type.startsWith("multipart/form-data")) {
      upload(ctx);
    } else if (type.startsWith("application/json")) {
      Json.read(ctx.request(), JSON_LIMIT).onSuccess(body -> {
        try {
          submitUrl(ctx, body);
        } catch (RuntimeException e) {
          ctx.fail(e);
        }
      }).onFailure(ctx::fail);
    } else {
      ctx.fail(new ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
          "send multipart/form-data with the audio file, or application/json with a sourceUrl"));
    }
  }

  /** The job a submission goes to, and the job's state when it already exists (an idempotent repeat). */
  private record Target(String jobId, JobState existing) {}

  private Future<Target> target(RoutingContext ctx) {
    String tenant = ApiKeyAuth.tenant(ctx);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isBlank() || key.length() > 200)) {
      return Future.failedFuture(ApiError.badRequest("Idempotency-Key must have 1..200 characters"));
    }
    Future<JobState> existing = key == null ? Future.succeededFuture(JobState.EMPTY)
        : submissions.load(tenant, JobIds.forKey(tenant, key));
    return existing.compose(state -> {
      if (state.exists()) {
        return Future.succeededFuture(new Target(state.jobId(), state));
      }
      return status.countActive(tenant).compose(active -> active >= limits.maxActiveJobs()
          ? Future.failedFuture(new ApiError(429, "TOO_MANY_ACTIVE_JOBS", "the tenant already has " + active
              + " unfinished jobs (limit " + limits.maxActiveJobs() + ")",
              Map.of("Retry-After", Long.toString(Math.max(1, limits.retryAfter().toSeconds())))))
          : Future.succeededFuture(new Target(key == null ? JobIds.random() : JobIds.forKey(tenant, key), null)));
    });
  }

  private void upload(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String tenant = ApiKeyAuth.tenant(ctx);
    long declared = contentLength(request);
    if (declared > limits.maxUploadBytes() + MULTIPART_SLACK) {
      ctx.fail(new ArtifactTooLarge(limits.maxUploadBytes()));
      return;
    }
    target(ctx).onFailure(ctx::fail).onSuccess(target -> {
      if (target.existing() != null) {
        request.resume();
        respond(ctx, 200, target.existing());
        return;
      }
      Promise<ArtifactInfo> stored = Promise.promise();
      boolean[] sawFile = {false};
      request.setExpectMultipart(true);
      request.uploadHandler(upload -> {
        if (sawFile[0]) {
          upload.handler(chunk -> { }); // only the first file is the song
          return;
        }
        sawFile[0] = true;
        ArtifactKey key = new ArtifactKey(tenant, target.jobId(), sourceName(upload.filename()));
        artifacts.put(key, upload, limits.maxUploadBytes()).onComplete(stored);
      });
      request.exceptionHandler(stored::tryFail);
      stored.future().onFailure(ctx::fail);
      request.endHandler(v -> {
        if (!sawFile[0]) {
          ctx.fail(ApiError.badRequest("the multipart body has no file part"));
          return;
        }
        MultiMap form = request.formAttributes();
        stored.future().compose(info -> {
          Options options = Options.fromForm(form);
          return submissions.submit(new Submissions.Request(tenant, target.jobId(),
              AudioSource.objectKey(info.key().path()), options.outputs(), options.priority(), Map.of(), Map.of(),
              null));
        }).onSuccess(s -> created(ctx, s)).onFailure(err -> {
          if (!stored.future().failed()) {
            ctx.fail(err);
          }
        });
      });
      request.resume();
    });
  }

  private void submitUrl(RoutingContext ctx, Buffer raw) {
    JsonObject body = Json.object(raw);
    String url = body.getValue("sourceUrl") instanceof String s ? s : null;
    if (url == null) {
      ctx.fail(ApiError.badRequest("sourceUrl (a string) is required"));
      return;
    }
    Options options = Options.fromJson(body);
    String tenant = ApiKeyAuth.tenant(ctx);
    target(ctx).compose(target -> target.existing() != null
            ? Future.succeededFuture(new Submissions.Submitted(target.existing(), false))
            : urlPolicy.check(url).compose(uri -> submissions.submit(new Submissions.Request(tenant, target.jobId(),
                AudioSource.url(uri.toString()), options.outputs(), options.priority(), options.metadata(),
                options.models(), null))))
        .onSuccess(s -> created(ctx, s))
        .onFailure(ctx::fail);
  }

  /**
   * Answers with the job once the status projection has it (bounded wait), so that the client's next read, and
   * the tenant's next submission's limit check, see it.
   */
  private void created(RoutingContext ctx, Submissions.Submitted s) {
    if (!s.created()) {
      respond(ctx, 200, s.state());
      return;
    }
    status.awaitVersion(ctx.vertx(), s.state().tenant(), s.state().jobId(), s.state().version(), PROJECTION_WAIT)
        .onComplete(v -> respond(ctx, 202, s.state()));
  }

  private void respond(RoutingContext ctx, int statusCode, JobState state) {
    JsonObject view = JobStatusView.fromState(state, Instant.now(), 0).toJson(base);
    ctx.response().setStatusCode(statusCode)
        .putHeader("Location", base + "/jobs/" + state.jobId())
        .putHeader("Content-Type", "application/json")
        .end(view.encode());
  }

  private static long contentLength(HttpServerRequest request) {
    try {
      String v = request.getHeader("Content-Length");
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code source} plus the uploaded file's extension, when it has a plain one. */
  static String sourceName(String filename) {
    if (filename != null) {
      int dot = filename.lastIndexOf('.');
      if (dot >= 0) {
        String ext = filename.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (ext.matches("[a-z0-9]{1,8}")) {
          return "source." + ext;
        }
      }
    }
    return "source";
  }

  /** What a submitter may ask for besides the audio. */
  record Options(List<String> outputs, int priority, Map<String, String> metadata, Map<String, String> models) {
    private static final String OUTPUT = "[a-z0-9_-]{1,32}";

    Options {
      for (String o : outputs) {
        if (!o.matches(OUTPUT)) {
          throw ApiError.unprocessable("INVALID_OUTPUTS", "an output name must match " + OUTPUT + ": " + o);
        }
      }
      if (priority < -10 || priority > 10) {
        throw ApiError.unprocessable("INVALID_PRIORITY", "priority must be -10..10");
      }
    }

    static Options fromForm(MultiMap form) {
      String outputs = form.get("outputs");
      List<String> list = outputs == null ? List.of()
          : Arrays.stream(outputs.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      return new Options(list, Json.intOf(form.get("priority"), "priority"), Map.of(), Map.of());
    }

    static Options fromJson(JsonObject body) {
      List<String> outputs = new ArrayList<>();
      Object o = body.getValue("outputs");
      if (o instanceof io.vertx.core.json.JsonArray a) {
        for (Object item : a) {
          if (!(item instanceof String s)) {
            throw ApiError.unprocessable("INVALID_OUTPUTS", "outputs must be an array of strings");
          }
          outputs.add(s);
        }
      } else if (o != null) {
        throw ApiError.unprocessable("INVALID_OUTPUTS", "outputs must be an array of strings");
      }
      Object p = body.getValue("priority");
      if (p != null && !(p instanceof Integer)) {
        throw ApiError.unprocessable("INVALID_PRIORITY", "priority must be an integer");
      }
      return new Options(outputs, p == null ? 0 : (Integer) p, Json.stringMap(body, "metadata"),
          Json.stringMap(body, "models"));
    }
  }
}
