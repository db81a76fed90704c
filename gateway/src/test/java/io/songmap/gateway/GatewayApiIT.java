package io.songmap.gateway;

import static io.songmap.gateway.GatewayHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.songmap.artifacts.ArtifactKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.net.NetServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The REST API over a real socket, on a real PostgreSQL; Kafka is not needed here. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayApiIT {
  private GatewayHarness h;
  private NetServer inference;
  private String tenant;
  private String key;
  private String otherKey;

  @BeforeAll
  void start() {
    // Something listening where the inference server would be, for the readiness check.
    Vertx side = Vertx.vertx();
    inference = await(side.createNetServer().connectHandler(socket -> socket.close()).listen(0, "127.0.0.1"));
    h = new GatewayHarness("gateway_api", false,
        c -> c.withInferenceAddress("127.0.0.1:" + inference.actualPort()));
    var t = h.tenant();
    tenant = t.getKey();
    key = t.getValue();
    otherKey = h.tenant().getValue();
  }

  @AfterAll
  void stop() {
    h.close();
    await(inference.close());
  }

  private static JsonObject json(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject();
  }

  private String submit(String apiKey) {
    HttpResponse<Buffer> r = h.submitUrl(apiKey, "https://203.0.113.10/song.mp3");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return json(r).getString("id");
  }

  /** Waits until the projection shows the job at least at {@code version}. */
  private JsonObject projected(String apiKey, String jobId, String state) {
    JsonObject[] out = new JsonObject[1];
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      HttpResponse<Buffer> r = await(h.get(apiKey, "/jobs?limit=100").send());
      for (Object o : json(r).getJsonArray("jobs")) {
        JsonObject j = (JsonObject) o;
        if (j.getString("id").equals(jobId) && j.getString("state").equals(state)) {
          out[0] = j;
          return true;
        }
      }
      return false;
    });
    return out[0];
  }

  @Nested
  class Authentication {
    @Test
    void aRequestWithoutAKeyIs401() {
      HttpResponse<Buffer> r = await(h.http.get("/api/v1/jobs").send());
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(json(r).getString("code")).isEqualTo("UNAUTHORIZED");
      assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void anUnknownKeyIs401() {
      assertThat(await(h.get("smk_nope", "/jobs").send()).statusCode()).isEqualTo(401);
    }

    @Test
    void aRevokedKeyIs401() {
      var t = h.tenant();
      assertThat(await(h.get(t.getValue(), "/jobs").send()).statusCode()).isEqualTo(200);
      assertThat(await(h.gateway.tenants().revoke(t.getValue()))).isTrue();
      assertThat(await(h.get(t.getValue(), "/jobs").send()).statusCode()).isEqualTo(401);
    }

    @Test
    void keysAreStoredHashed() {
      var rows = await(h.pool.query("SELECT key_hash FROM tenant_api_key").execute());
      rows.forEach(r -> assertThat(r.getString(0)).matches("[0-9a-f]{64}").isNotEqualTo(key));
    }
  }

  @Nested
  class SubmitByUrl {
    @Test
    void acceptsAnHttpsUrlAndShowsTheJob() {
      HttpResponse<Buffer> r = h.submitUrl(key, "https://203.0.113.10/a.mp3");
      assertThat(r.statusCode()).isEqualTo(202);
      JsonObject job = json(r);
      assertThat(job.getString("state")).isEqualTo("SUBMITTED");
      assertThat(r.getHeader("Location")).isEqualTo("/api/v1/jobs/" + job.getString("id"));
      assertThat(job.getJsonObject("stages").getJsonObject("ingest").getString("status")).isEqualTo("REQUESTED");
      HttpResponse<Buffer> got = await(h.get(key, "/jobs/" + job.getString("id")).send());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(json(got).getString("id")).isEqualTo(job.getString("id"));
      cancel(key, job.getString("id"));
    }

    @Test
    void refusesOtherSchemesAndInternalAddresses() {
      for (String url : List.of("ftp://example.com/a.mp3", "file:///etc/passwd", "http://127.0.0.1/a.mp3",
          "http://10.1.2.3/a.mp3", "http://192.168.0.1/a.mp3", "http://169.254.169.254/latest/meta-data",
          "http://[::1]/a.mp3", "http://[fd00::1]/a.mp3", "not a url")) {
        HttpResponse<Buffer> r = h.submitUrl(key, url);
        assertThat(r.statusCode()).as(url).isEqualTo(422);
        assertThat(json(r).getString("code")).as(url).isEqualTo("INVALID_SOURCE_URL");
      }
    }

    @Test
    void allowsAnAllowListedInternalHost() {
      HttpResponse<Buffer> r = h.submitUrl(key, "http://localhost:9/a.mp3");
      assertThat(r.statusCode()).isEqualTo(202);
      cancel(key, json(r).getString("id"));
    }

    @Test
    void badBodiesAre400And415() {
      assertThat(await(h.post(key, "/jobs").sendJsonObject(new JsonObject())).statusCode()).isEqualTo(400);
      assertThat(await(h.post(key, "/jobs").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{nope"))).statusCode()).isEqualTo(400);
      HttpResponse<Buffer> r = await(h.post(key, "/jobs").putHeader("Content-Type", "text/plain")
          .sendBuffer(Buffer.buffer("hello")));
      assertThat(r.statusCode()).isEqualTo(415);
      assertThat(json(r).getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
      HttpResponse<Buffer> outputs = await(h.post(key, "/jobs").sendJsonObject(
          new JsonObject().put("sourceUrl", "https://203.0.113.10/a.mp3").put("outputs", new JsonArray().add("NO PE"))));
      assertThat(outputs.statusCode()).isEqualTo(422);
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameJob() {
      JsonObject body = new JsonObject().put("sourceUrl", "https://203.0.113.10/b.mp3");
      HttpResponse<Buffer> first = await(h.post(key, "/jobs").putHeader("Idempotency-Key", "k-1").sendJsonObject(body));
      HttpResponse<Buffer> again = await(h.post(key, "/jobs").putHeader("Idempotency-Key", "k-1").sendJsonObject(body));
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(json(again).getString("id")).isEqualTo(json(first).getString("id"));
      HttpResponse<Buffer> otherTenant = await(h.post(otherKey, "/jobs").putHeader("Idempotency-Key", "k-1")
          .sendJsonObject(body));
      assertThat(json(otherTenant).getString("id")).isNotEqualTo(json(first).getString("id"));
      cancel(key, json(first).getString("id"));
      cancel(otherKey, json(otherTenant).getString("id"));
    }
  }

  @Nested
  class Upload {
    @Test
    void streamsTheFileIntoTheArtifactStore() throws Exception {
      byte[] audio = new byte[300_000];
      new Random(1).nextBytes(audio);
      MultipartForm form = MultipartForm.create().attribute("outputs", "midi,musicxml")
          .binaryFileUpload("audio", "Song.MP3", Buffer.buffer(audio), "audio/mpeg");
      HttpResponse<Buffer> r = await(h.post(key, "/jobs").sendMultipartForm(form));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
      String jobId = json(r).getString("id");
      byte[] stored = Files.readAllBytes(h.artifacts.pathOf(new ArtifactKey(tenant, jobId, "source.mp3")));
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
          .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(audio)));
      var events = json(await(h.get(key, "/jobs/" + jobId + "/events").send())).getJsonArray("events");
      JsonObject submitted = events.getJsonObject(0).getJsonObject("data");
      assertThat(submitted.getJsonObject("source").getString("location")).isEqualTo(tenant + "/" + jobId + "/source.mp3");
      assertThat(submitted.getJsonArray("requestedOutputs")).containsExactly("midi", "musicxml");
      cancel(key, jobId);
    }

    @Test
    void aRepeatedUploadWithTheSameIdempotencyKeyIsTheSameJob() {
      MultipartForm form = MultipartForm.create()
          .binaryFileUpload("audio", "a.wav", Buffer.buffer(new byte[50_000]), "audio/wav");
      HttpResponse<Buffer> first = await(h.post(key, "/jobs").putHeader("Idempotency-Key", "upload-1")
          .sendMultipartForm(form));
      HttpResponse<Buffer> again = await(h.post(key, "/jobs").putHeader("Idempotency-Key", "upload-1")
          .sendMultipartForm(form));
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(json(again).getString("id")).isEqualTo(json(first).getString("id"));
      cancel(key, json(first).getString("id"));
    }

    @Test
    void aFileOverTheLimitIs413() {
      byte[] audio = new byte[2 * 1024 * 1024];
      MultipartForm form = MultipartForm.create()
          .binaryFileUpload("audio", "big.wav", Buffer.buffer(audio), "audio/wav");
      HttpResponse<Buffer> r = await(h.post(key, "/jobs").sendMultipartForm(form));
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(json(r).getString("code")).isEqualTo("UPLOAD_TOO_LARGE");
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeReading() {
      HttpResponse<Buffer> r = await(h.post(key, "/jobs")
          .putHeader("Content-Type", "multipart/form-data; boundary=xyz")
          .sendBuffer(Buffer.buffer(new byte[3 * 1024 * 1024])));
      assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void aBodyWithoutAFileIs400() {
      HttpResponse<Buffer> r = await(h.post(key, "/jobs").sendMultipartForm(MultipartForm.create().attribute("a", "b")));
      assertThat(r.statusCode()).isEqualTo(400);
    }
  }

  @Nested
  class Limits {
    @Test
    void aTenantWithTooManyUnfinishedJobsGets429WithRetryAfter() {
      String busy = h.tenant().getValue();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(submit(busy)); // each answered once the projection has it, so the next one counts it
      }
      HttpResponse<Buffer> r = h.submitUrl(busy, "https://203.0.113.10/x.mp3");
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(json(r).getString("code")).isEqualTo("TOO_MANY_ACTIVE_JOBS");
      assertThat(r.getHeader("Retry-After")).isEqualTo("30");
      MultipartForm form = MultipartForm.create()
          .binaryFileUpload("audio", "a.wav", Buffer.buffer(new byte[1000]), "audio/wav");
      assertThat(await(h.post(busy, "/jobs").sendMultipartForm(form)).statusCode()).isEqualTo(429);
      cancel(busy, ids.get(0));
      assertThat(h.submitUrl(busy, "https://203.0.113.10/x.mp3").statusCode()).isEqualTo(202);
    }
  }

  @Nested
  class StatusAndListing {
    @Test
    void listsNewestFirstWithCursorPagingAndStateFilter() {
      var t = h.tenant();
      String k = t.getValue();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = submit(k);
        ids.add(id);
        cancel(k, id);
      }
      JsonObject page1 = json(await(h.get(k, "/jobs?limit=2").send()));
      assertThat(page1.getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")))
          .containsExactly(ids.get(2), ids.get(1));
      JsonObject page2 = json(await(h.get(k, "/jobs?limit=2&cursor=" + page1.getString("nextCursor")).send()));
      assertThat(page2.getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")))
          .containsExactly(ids.get(0));
      assertThat(page2.getValue("nextCursor")).isNull();
      assertThat(json(await(h.get(k, "/jobs?state=cancelled").send())).getJsonArray("jobs")).hasSize(3);
      assertThat(json(await(h.get(k, "/jobs?state=running").send())).getJsonArray("jobs")).isEmpty();
      assertThat(await(h.get(k, "/jobs?state=nope").send()).statusCode()).isEqualTo(400);
      assertThat(await(h.get(k, "/jobs?limit=0").send()).statusCode()).isEqualTo(400);
      assertThat(await(h.get(k, "/jobs?cursor=%%%").send()).statusCode()).isEqualTo(400);
    }

    @Test
    void aCompletedJobShowsProgressOutputsAndArtifactLinks() {
      String jobId = submit(key);
      h.complete(tenant, jobId, Map.of("songmap", tenant + "/" + jobId + "/songmap.json", "tempo", "120"));
      JsonObject job = projected(key, jobId, "COMPLETED");
      assertThat(job.getDouble("progress")).isEqualTo(100.0);
      assertThat(job.getString("finishedAt")).isNotNull();
      assertThat(job.getJsonObject("outputs").getString("package.tempo")).isEqualTo("120");
      assertThat(job.getJsonObject("links").getJsonObject("artifacts").getString("package.songmap"))
          .isEqualTo("/api/v1/jobs/" + jobId + "/artifacts/songmap.json");
    }

    @Test
    void unknownJobsAndOtherTenantsJobsAre404() {
      String jobId = submit(key);
      assertThat(await(h.get(key, "/jobs/no-such-job").send()).statusCode()).isEqualTo(404);
      for (String path : List.of("/jobs/" + jobId, "/jobs/" + jobId + "/events")) {
        HttpResponse<Buffer> r = await(h.get(otherKey, path).send());
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(json(r).getString("code")).isEqualTo("NOT_FOUND");
      }
      assertThat(await(h.post(otherKey, "/jobs/" + jobId + "/cancel").sendJsonObject(new JsonObject()))
          .statusCode()).isEqualTo(404);
      assertThat(await(h.post(otherKey, "/jobs/" + jobId + "/reprocess")
          .sendJsonObject(new JsonObject().put("fromStage", "drums"))).statusCode()).isEqualTo(404);
      projected(key, jobId, "SUBMITTED");
      assertThat(json(await(h.get(otherKey, "/jobs?limit=100").send())).getJsonArray("jobs").stream()
          .map(j -> ((JsonObject) j).getString("id"))).doesNotContain(jobId);
      cancel(key, jobId);
    }

    @Test
    void theHistoryListsEveryEventWithItsVersion() {
      String jobId = submit(key);
      cancel(key, jobId);
      JsonObject history = json(await(h.get(key, "/jobs/" + jobId + "/events").send()));
      JsonArray events = history.getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")))
          .containsExactly("JobSubmitted", "StageRequested", "JobCancelled");
      assertThat(events.stream().map(e -> ((JsonObject) e).getLong("version"))).containsExactly(1L, 2L, 3L);
      JsonObject from2 = json(await(h.get(key, "/jobs/" + jobId + "/events?from=2").send()));
      assertThat(from2.getJsonArray("events")).hasSize(2);
    }
  }

  @Nested
  class CancelAndReprocess {
    @Test
    void cancelIsIdempotentAndAFinishedJobCannotBeCancelled() {
      String jobId = submit(key);
      HttpResponse<Buffer> r = await(h.post(key, "/jobs/" + jobId + "/cancel")
          .sendJsonObject(new JsonObject().put("reason", "changed my mind")));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json(r).getString("state")).isEqualTo("CANCELLED");
      assertThat(json(r).getJsonObject("error").getString("message")).isEqualTo("changed my mind");
      assertThat(await(h.post(key, "/jobs/" + jobId + "/cancel").send()).statusCode()).isEqualTo(200);
      String done = submit(key);
      h.complete(tenant, done, Map.of());
      HttpResponse<Buffer> finished = await(h.post(key, "/jobs/" + done + "/cancel").send());
      assertThat(finished.statusCode()).isEqualTo(409);
      assertThat(json(finished).getString("code")).isEqualTo("JOB_ALREADY_FINISHED");
      assertThat(await(h.post(key, "/jobs/nope/cancel").send()).statusCode()).isEqualTo(404);
    }

    @Test
    void reprocessRunsACompletedJobAgainAndRefusesActiveOnes() {
      String active = submit(key);
      HttpResponse<Buffer> busy = await(h.post(key, "/jobs/" + active + "/reprocess")
          .sendJsonObject(new JsonObject().put("fromStage", "drums")));
      assertThat(busy.statusCode()).isEqualTo(409);
      assertThat(json(busy).getString("code")).isEqualTo("REPROCESS_NOT_ALLOWED");
      cancel(key, active);
      String done = submit(key);
      h.complete(tenant, done, Map.of());
      assertThat(await(h.post(key, "/jobs/" + done + "/reprocess")
          .sendJsonObject(new JsonObject().put("fromStage", "nope"))).statusCode()).isEqualTo(422);
      assertThat(await(h.post(key, "/jobs/" + done + "/reprocess").sendJsonObject(new JsonObject()))
          .statusCode()).isEqualTo(422);
      HttpResponse<Buffer> r = await(h.post(key, "/jobs/" + done + "/reprocess").sendJsonObject(
          new JsonObject().put("fromStage", "drums").put("models", new JsonObject().put("drum_cnn", "2"))));
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(json(r).getInteger("run")).isEqualTo(2);
      assertThat(json(r).getString("state")).isEqualTo("RUNNING");
      assertThat(json(r).getJsonObject("stages").getJsonObject("drums").getString("status")).isEqualTo("REQUESTED");
      h.complete(tenant, done, Map.of());
    }
  }

  @Nested
  class Artifacts {
    @Test
    void servesArtifactsWithContentTypesAndRanges() {
      String jobId = submit(key);
      cancel(key, jobId);
      Buffer songmap = Buffer.buffer("{\"version\":\"songmap/v1\",\"tempo\":120.0}");
      await(h.artifacts.put(new ArtifactKey(tenant, jobId, "songmap.json"), songmap));
      await(h.artifacts.put(new ArtifactKey(tenant, jobId, "stems/drums.wav"), Buffer.buffer(new byte[1000])));
      await(h.artifacts.put(new ArtifactKey(tenant, jobId, "score.musicxml"), Buffer.buffer("<score/>")));
      await(h.artifacts.put(new ArtifactKey(tenant, jobId, "song.mid"), Buffer.buffer(new byte[10])));
      await(h.artifacts.put(new ArtifactKey(tenant, jobId, "sheet.pdf"), Buffer.buffer(new byte[10])));
      String base = "/jobs/" + jobId + "/artifacts/";

      HttpResponse<Buffer> whole = await(h.get(key, base + "songmap.json").send());
      assertThat(whole.statusCode()).isEqualTo(200);
      assertThat(whole.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(whole.getHeader("Accept-Ranges")).isEqualTo("bytes");
      assertThat(whole.body()).isEqualTo(songmap);
      assertThat(await(h.get(key, base + "stems/drums.wav").send()).getHeader("Content-Type")).isEqualTo("audio/wav");
      assertThat(await(h.get(key, base + "score.musicxml").send()).getHeader("Content-Type"))
          .isEqualTo("application/vnd.recordare.musicxml+xml");
      assertThat(await(h.get(key, base + "song.mid").send()).getHeader("Content-Type")).isEqualTo("audio/midi");
      assertThat(await(h.get(key, base + "sheet.pdf").send()).getHeader("Content-Type")).isEqualTo("application/pdf");

      HttpResponse<Buffer> part = await(h.get(key, base + "songmap.json").putHeader("Range", "bytes=1-9").send());
      assertThat(part.statusCode()).isEqualTo(206);
      assertThat(part.getHeader("Content-Range")).isEqualTo("bytes 1-9/" + songmap.length());
      assertThat(part.bodyAsString()).isEqualTo(songmap.getString(1, 10));
      HttpResponse<Buffer> tail = await(h.get(key, base + "stems/drums.wav").putHeader("Range", "bytes=-100").send());
      assertThat(tail.statusCode()).isEqualTo(206);
      assertThat(tail.body().length()).isEqualTo(100);
      HttpResponse<Buffer> outside = await(h.get(key, base + "songmap.json").putHeader("Range", "bytes=5000-").send());
      assertThat(outside.statusCode()).isEqualTo(416);
      assertThat(outside.getHeader("Content-Range")).isEqualTo("bytes */" + songmap.length());

      assertThat(await(h.get(key, base + "missing.json").send()).statusCode()).isEqualTo(404);
      assertThat(await(h.get(key, base + "../../etc/passwd").send()).statusCode()).isEqualTo(404);
      assertThat(await(h.get(otherKey, base + "songmap.json").send()).statusCode()).isEqualTo(404);
    }
  }

  @Nested
  class Operations {
    @Test
    void healthAndMetrics() {
      assertThat(await(h.http.get("/health/live").send()).statusCode()).isEqualTo(200);
      HttpResponse<Buffer> ready = await(h.http.get("/health/ready").send());
      assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
      assertThat(json(ready).getJsonObject("checks").getString("postgres")).isEqualTo("UP");
      assertThat(json(ready).getJsonObject("checks").getString("inference")).isEqualTo("UP");
      HttpResponse<Buffer> metrics = await(h.http.get("/metrics").send());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.bodyAsString()).contains("songmap_websocket_connections");
    }

    @Test
    void everyRouteIsDocumentedInTheOpenApiDocumentAndViceVersa() {
      assertThat(OpenApiRoutes.documented()).isEqualTo(OpenApiRoutes.registered(h.gateway.router(),
          h.gateway.apiRouter()));
      HttpResponse<Buffer> doc = await(h.http.get("/api/v1/openapi.json").send());
      assertThat(doc.statusCode()).isEqualTo(200);
      assertThat(json(doc).getString("openapi")).startsWith("3.");
    }

    @Test
    void webSocketsWithoutKafkaAre503AndTheTenantStreamIsWebSocketOnly() {
      String jobId = submit(key);
      assertThatThrownBy(() -> WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/jobs/" + jobId + "/events", key))
          .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(503));
      HttpResponse<Buffer> plain = await(h.get(key, "/events").send());
      assertThat(plain.statusCode()).isEqualTo(400);
      cancel(key, jobId);
    }

    @Test
    void unknownRoutesAnswerJson404() {
      HttpResponse<Buffer> r = await(h.http.get("/api/v1/nothing-here").bearerTokenAuthentication(key).send());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(json(r).getString("code")).isEqualTo("NOT_FOUND");
    }

    @Test
    void theStatusProjectionRebuildsToTheSameRows() {
      String jobId = submit(key);
      cancel(key, jobId);
      projected(key, jobId, "CANCELLED");
      String sql = "SELECT tenant, job_id, state, run, stages::text, progress, error_code, outputs::text, version, seq"
          + " FROM job_status ORDER BY tenant, job_id";
      List<String> before = rows(sql);
      await(h.gateway.statusProjection().rebuild());
      assertThat(rows(sql)).isEqualTo(before);
    }

    private List<String> rows(String sql) {
      List<String> out = new ArrayList<>();
      await(h.pool.query(sql).execute()).forEach(r -> out.add(r.toJson().encode()));
      return out;
    }
  }

  private void cancel(String apiKey, String jobId) {
    HttpResponse<Buffer> r = await(h.post(apiKey, "/jobs/" + jobId + "/cancel").send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }
}
