package io.songmap.audio.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.songmap.audio.songmap.SongMapFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PdfRendererTest {

    @Test
    void rendersTheDrumScoreWhenMuseScoreIsInstalled() throws Exception {
        PdfRenderer renderer = PdfRenderer.detect();
        assumeTrue(renderer.isAvailable(), () -> renderer.unavailableReason().orElse(""));

        byte[] pdf = renderer.render(MusicXmlDrumScore.write(SongMapFixtures.twoBarsAt120()), Duration.ofSeconds(60));

        assertThat(new String(Arrays.copyOf(pdf, 5), StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(pdf.length).isGreaterThan(1000);
    }

    @Test
    void aMissingExecutableIsReportedNotRun() {
        PdfRenderer renderer = PdfRenderer.using(Path.of("/nonexistent/musescore3"));

        assertThat(renderer.isAvailable()).isFalse();
        assertThat(renderer.unavailableReason()).hasValueSatisfying(r -> assertThat(r).contains("/nonexistent/musescore3"));
        assertThatThrownBy(() -> renderer.render(new byte[0], Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unavailable");
    }
}
