package io.songmap.gateway.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.gateway.artifacts.ArtifactRoutes.ByteRange;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
  @Test
  void boundedOpenAndSuffixRanges() {
    assertThat(ByteRange.parse("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9));
    assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-1000", 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=50-1000", 100)).isEqualTo(new ByteRange(50, 99));
    assertThat(ByteRange.parse("bytes=0-0,5-6", 100)).isEqualTo(new ByteRange(0, 0));
  }

  @Test
  void unsatisfiableOrMalformedRanges() {
    assertThat(ByteRange.parse("bytes=100-", 100)).isNull();
    assertThat(ByteRange.parse("bytes=9-3", 100)).isNull();
    assertThat(ByteRange.parse("bytes=-0", 100)).isNull();
    assertThat(ByteRange.parse("items=0-1", 100)).isNull();
    assertThat(ByteRange.parse("bytes=a-b", 100)).isNull();
    assertThat(ByteRange.parse("bytes=0-1", 0)).isNull();
  }

  @Test
  void contentTypesByExtension() {
    assertThat(ArtifactRoutes.contentType("songmap.json")).isEqualTo("application/json");
    assertThat(ArtifactRoutes.contentType("score.musicxml")).isEqualTo("application/vnd.recordare.musicxml+xml");
    assertThat(ArtifactRoutes.contentType("song.MID")).isEqualTo("audio/midi");
    assertThat(ArtifactRoutes.contentType("stems/drums.wav")).isEqualTo("audio/wav");
    assertThat(ArtifactRoutes.contentType("sheet.pdf")).isEqualTo("application/pdf");
    assertThat(ArtifactRoutes.contentType("blob")).isEqualTo("application/octet-stream");
  }
}
