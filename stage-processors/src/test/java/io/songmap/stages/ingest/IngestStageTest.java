package io.songmap.stages.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavReader;
import io.songmap.job.ErrorCode;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.endtoend.StageHarness;
import io.songmap.stages.runtime.StageResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ingest stage with a real artifact store, FFmpeg, and a real HTTP server for URL sources
 * (serving the shared 808 MP3, errors, an endless body and a server that never answers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestStageTest {

  private StageHarness h;
  private HttpServer http;
  private Path mp3;
  private byte[] mp3Bytes;

  @BeforeAll
  void start() throws Exception {
    h = new StageHarness(List.of(), Stages.Settings.defaults().withPdf(false)
        .withDownloadLimits(2_000_000, Duration.ofSeconds(3)));
    mp3 = StageHarness.shared().resolve("data/808kick120bpm.mp3");
    mp3Bytes = Files.readAllBytes(mp3);
    http = StageHarness.await(h.vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/songs/808%20kick.mp3" -> request.response().putHeader("content-type", "audio/mpeg")
            .end(Buffer.buffer(mp3Bytes));
        case "/moved" -> request.response().setStatusCode(302).putHeader("location", "/songs/808%20kick.mp3").end();
        case "/busy" -> request.response().setStatusCode(503).end();
        case "/huge" -> {
          request.response().setChunked(true);
          byte[] chunk = new byte[64 * 1024];
          for (int i = 0; i < 64; i++) {
            request.response().write(Buffer.buffer(chunk));
          }
          request.response().end();
        }
        case "/silent" -> { /* never answers */ }
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(0));
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private String url(String path) {
    return "http://localhost:" + http.actualPort() + path;
  }

  private StageResult ingest(String jobId, Map<String, String> inputs) {
    return h.run(new IngestStage(h.vertx, h.store, h.settings), h.task(Stage.INGEST, jobId, inputs));
  }

  private static StageResult.Failed failed(StageResult result) {
    assertThat(result).isInstanceOf(StageResult.Failed.class);
    return (StageResult.Failed) result;
  }

  @Nested
  class AnUpload {
    @Test
    void isDecodedTo44kStereoFloatAndStored() throws Exception {
      ArtifactKey upload = h.key("job-up", "upload/song.mp3");
      StageHarness.await(h.store.put(upload, mp3));

      StageResult result = ingest("job-up", Map.of("source.objectKey", upload.path()));

      assertThat(result).isInstanceOf(StageResult.Completed.class);
      Map<String, String> out = ((StageResult.Completed) result).outputs();
      assertThat(out).containsEntry("audio", "acme/job-up/audio.wav")
          .containsEntry("source", upload.path())
          .containsEntry("sourceName", "song.mp3")
          .containsEntry("sourceCodec", "mp3")
          .containsEntry("sampleRate", "44100")
          .containsEntry("sourceSha256", sha256(mp3Bytes));
      Path wav = StageHarness.await(h.store.localFile(ArtifactKey.parse(out.get("audio"))));
      assertThat(out.get("audioSha256")).isEqualTo(sha256(Files.readAllBytes(wav)));
      assertThat(WavReader.layout(wav).formatTag()).as("IEEE float").isEqualTo(3);
      PcmAudio audio = WavReader.read(wav);
      assertThat(audio.sampleRate()).isEqualTo(44_100);
      assertThat(audio.channels()).isEqualTo(2);
      assertThat(Double.parseDouble(out.get("durationSeconds"))).isEqualTo(audio.durationSeconds())
          .isBetween(9.9, 10.1);
      assertThat(h.progress).isNotEmpty().isSorted();
    }

    @Test
    void thatDoesNotExistIsSourceNotFound() {
      StageResult result = ingest("job-missing", Map.of("source.objectKey", "acme/job-missing/upload/none.mp3"));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
    }

    @Test
    void ofAnotherTenantIsRefused() {
      StageResult result = ingest("job-t", Map.of("source.objectKey", "other/job-t/upload/song.mp3"));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.INPUT_INVALID);
      assertThat(failed(result).message()).contains("another tenant");
    }

    @Test
    void ofRandomBytesIsCorruptAudio() throws Exception {
      byte[] noise = new byte[50_000];
      new Random(1).nextBytes(noise);
      ArtifactKey upload = h.key("job-noise", "upload/noise.mp3");
      StageHarness.await(h.store.put(upload, Buffer.buffer(noise)));
      StageResult result = ingest("job-noise", Map.of("source.objectKey", upload.path()));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.AUDIO_CORRUPT);
      assertThat(failed(result).message()).startsWith("AUDIO_CORRUPT");
    }

    @Test
    void thatIsEmptyIsCorruptAudioNamedEmpty() {
      ArtifactKey upload = h.key("job-empty", "upload/empty.wav");
      StageHarness.await(h.store.put(upload, Buffer.buffer()));
      StageResult result = ingest("job-empty", Map.of("source.objectKey", upload.path()));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.AUDIO_CORRUPT);
      assertThat(failed(result).message()).startsWith("AUDIO_EMPTY");
    }
  }

  @Nested
  class AUrl {
    @Test
    void isDownloadedKeptAsTheSourceAndDecoded() throws Exception {
      StageResult result = ingest("job-url", Map.of("source.url", url("/moved")));
      assertThat(result).isInstanceOf(StageResult.Completed.class);
      Map<String, String> out = ((StageResult.Completed) result).outputs();
      assertThat(out).containsEntry("sourceName", "808 kick.mp3")
          .containsEntry("source", "acme/job-url/source.mp3")
          .containsEntry("sourceSha256", sha256(mp3Bytes));
      assertThat(StageHarness.await(h.store.read(ArtifactKey.parse(out.get("source")))).getBytes()).isEqualTo(mp3Bytes);
      try (var work = Files.list(h.settings.workDir())) {
        assertThat(work).as("downloads are removed once stored").noneMatch(p -> p.getFileName().toString().startsWith("download-"));
      }
    }

    @Test
    void answering404IsSourceNotFound() {
      StageResult result = ingest("job-404", Map.of("source.url", url("/nothing.mp3?token=secret")));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
      assertThat(failed(result).message()).contains("404").doesNotContain("secret");
    }

    @Test
    void answering503IsRetryable() {
      StageResult result = ingest("job-503", Map.of("source.url", url("/busy")));
      assertThat(failed(result).code().retryable()).isTrue();
    }

    @Test
    void pastTheSizeLimitIsStopped() {
      StageResult result = ingest("job-huge", Map.of("source.url", url("/huge")));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.INPUT_INVALID);
      assertThat(failed(result).message()).contains("limit");
    }

    @Test
    void thatNeverAnswersTimesOut() {
      StageResult result = ingest("job-slow", Map.of("source.url", url("/silent")));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.TIMEOUT);
    }

    @Test
    void withAnotherSchemeIsRefused() {
      StageResult result = ingest("job-file", Map.of("source.url", "file:///etc/passwd"));
      assertThat(failed(result).code()).isEqualTo(ErrorCode.INPUT_INVALID);
    }
  }

  @Test
  void aTaskWithoutASourceIsInvalid() {
    assertThat(failed(ingest("job-none", Map.of())).code()).isEqualTo(ErrorCode.INPUT_INVALID);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
