package io.songmap.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.artifacts.ArtifactTooLarge;
import io.songmap.job.JobRejection;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorTranslatorTest {
  @Test
  void jobRejectionsMapByTheirCodes() {
    assertThat(ErrorTranslator.translate(new JobRejection.JobNotFound("j")).status()).isEqualTo(404);
    assertThat(ErrorTranslator.translate(new JobRejection.JobAlreadyExists("j")).status()).isEqualTo(409);
    assertThat(ErrorTranslator.translate(new JobRejection.JobAlreadyFinished("j", JobStatus.COMPLETED)).status())
        .isEqualTo(409);
    assertThat(ErrorTranslator.translate(new JobRejection.ReprocessNotAllowed("j", JobStatus.RUNNING)).status())
        .isEqualTo(409);
    var skip = ErrorTranslator.translate(new JobRejection.StageNotSkippable("j", Stage.SEPARATE));
    assertThat(skip.status()).isEqualTo(422);
    assertThat(skip.body().getString("code")).isEqualTo("STAGE_NOT_SKIPPABLE");
  }

  @Test
  void limitsAndApiErrorsKeepTheirStatusAndHeaders() {
    var tooLarge = ErrorTranslator.translate(new ArtifactTooLarge(10));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.body().getString("code")).isEqualTo("UPLOAD_TOO_LARGE");
    var limited = ErrorTranslator.translate(new ApiError(429, "TOO_MANY_ACTIVE_JOBS", "wait",
        Map.of("Retry-After", "30")));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.headers()).containsEntry("Retry-After", "30");
    assertThat(limited.body().fieldNames()).containsExactlyInAnyOrder("code", "message");
  }

  @Test
  void theUnexpectedIs500WithoutDetails() {
    var a = ErrorTranslator.translate(new IllegalStateException("secret internals"));
    assertThat(a.status()).isEqualTo(500);
    assertThat(a.body().getString("message")).doesNotContain("secret");
  }
}
