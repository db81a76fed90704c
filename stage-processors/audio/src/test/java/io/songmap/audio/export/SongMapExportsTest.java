package io.songmap.audio.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.audio.songmap.InvalidSongMapException;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SongMapExportsTest {

    @Test
    void withoutMuseScoreThePdfIsSkippedWithItsReason() {
        SongMapExports exports = new SongMapExports(new MidiExport(), PdfRenderer.using(Path.of("/nonexistent/mscore")),
                Duration.ofSeconds(5));

        SongMapExports.Files files = exports.export(SongMapFixtures.twoBarsAt120());

        assertThat(new String(files.songMapJson(), StandardCharsets.UTF_8)).contains("\"songmap/v1\"");
        assertThat(new String(files.musicXml(), StandardCharsets.UTF_8)).contains("<score-partwise version=\"4.0\">");
        assertThat(new String(files.midi(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("MThd");
        assertThat(files.pdf()).isEmpty();
        assertThat(files.pdfSkippedReason()).hasValueSatisfying(r -> assertThat(r).contains("/nonexistent/mscore"));
    }

    @Test
    void anInvalidMapProducesNothing() {
        SongMap base = SongMapFixtures.twoBarsAt120();
        SongMap invalid = new SongMap(base.schema(), base.jobId(), new SongMap.Source("song.mp3", "not-a-hash"),
                base.createdAt(), base.durationSeconds(), base.tempo(), base.drums(), base.bass(), base.melody(),
                base.lyrics(), base.stems(), base.models());

        assertThatThrownBy(() -> SongMapExports.withDefaults().export(invalid))
                .isInstanceOf(InvalidSongMapException.class).hasMessageContaining("source.sha256");
    }
}
