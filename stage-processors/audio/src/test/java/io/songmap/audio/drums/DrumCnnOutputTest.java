package io.songmap.audio.drums;

import static io.songmap.audio.songmap.DrumInstrument.CRASH;
import static io.songmap.audio.songmap.DrumInstrument.HIHAT;
import static io.songmap.audio.songmap.DrumInstrument.KICK;
import static io.songmap.audio.songmap.DrumInstrument.RIDE;
import static io.songmap.audio.songmap.DrumInstrument.SNARE;
import static io.songmap.audio.songmap.DrumInstrument.TOM;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DrumCnnOutputTest {

    @Test
    void outputsAreSnareHihatKickRideTomCrash() {
        assertThat(DrumCnnOutput.ORDER).containsExactly(SNARE, HIHAT, KICK, RIDE, TOM, CRASH);
    }

    @Test
    void everyScoreAboveOneHalfIsAHit() {
        assertThat(DrumCnnOutput.decode(new float[] {0.9f, 0.1f, 0.7f, 0f, 0f, 0.2f})).containsExactly(SNARE, KICK);
        assertThat(DrumCnnOutput.decode(new float[] {0, 0, 0, 0, 0, 0.51f})).containsExactly(CRASH);
    }

    @Test
    void withoutAnyTheMostLikelyClassIsTheHit() {
        assertThat(DrumCnnOutput.decode(new float[] {0.1f, 0.3f, 0.2f, 0.05f, 0.4f, 0.2f})).containsExactly(TOM);
        // np.round(0.5) == 0: exactly one half is not a hit by itself
        assertThat(DrumCnnOutput.decode(new float[] {0.5f, 0.2f, 0.1f, 0f, 0f, 0f})).containsExactly(SNARE);
        assertThat(DrumCnnOutput.decode(new float[] {0.5f, 0.6f, 0.1f, 0f, 0f, 0f})).containsExactly(HIHAT);
    }

    @Test
    void decodesOneItemOfABatch() {
        float[] batch = {0.9f, 0, 0, 0, 0, 0, 0, 0, 0, 0.8f, 0, 0};
        assertThat(DrumCnnOutput.decode(batch, 6)).containsExactly(RIDE);
    }
}
