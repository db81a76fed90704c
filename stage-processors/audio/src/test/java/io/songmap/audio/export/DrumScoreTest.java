package io.songmap.audio.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.songmap.SongMapFixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrumScoreTest {

    @Test
    void eighthsLandOnTheGridAndFillTwoBarsAt120() {
        DrumScore score = DrumScore.quantize(SongMapFixtures.twoBarsAt120());

        assertThat(score.measureCount()).isEqualTo(2);
        DrumScore.Measure first = score.measures().get(0);
        assertThat(first.hitsByPosition().keySet()).containsExactly(0, 6, 12, 18, 24, 36);
        assertThat(first.hitsByPosition().get(0)).containsExactly(DrumKit.KICK, DrumKit.CRASH);
        assertThat(first.tripletBeats()).containsExactly(false, false, false, false);
        assertThat(score.measures().get(1).hitsByPosition().keySet()).containsExactly(0, 24, 36);
    }

    @Test
    void swungEighthsBecomeTripletsAndAPickupOpensAnExtraBar() {
        DrumScore score = DrumScore.quantize(MusicXmlDrumScoreTest.shuffleWithPickup());

        // The pickup half a beat before the first detected beat makes bar 1 the pickup bar.
        assertThat(score.firstBeat()).isEqualTo(-4.0);
        assertThat(score.measureCount()).isEqualTo(4);
        DrumScore.Measure pickup = score.measures().get(0);
        assertThat(pickup.hitsByPosition()).containsOnlyKeys(42);
        DrumScore.Measure swing = score.measures().get(1);
        assertThat(swing.tripletBeats()).containsExactly(true, true, true, true);
        assertThat(swing.voice(DrumKit.Voice.HANDS).keySet()).containsExactly(0, 8, 12, 20, 24, 32, 36, 44);
        assertThat(swing.voice(DrumKit.Voice.FEET).keySet()).containsExactly(0, 24);
        DrumScore.Measure fills = score.measures().get(2);
        assertThat(fills.tripletBeats()).containsExactly(true, false, false, false);
        assertThat(fills.hitsByPosition()).containsOnlyKeys(4, 21);
        assertThat(fills.hitsByPosition().get(21)).isEqualTo(List.of(DrumKit.KICK));
    }
}
