package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LowerOctavesTest {

    private static final int RATE = 22_050;

    /** A plucked-string-like tone: partials 1..8 at 1/k, the fundamental scaled by {@code fundamental}. */
    private static void tone(float[] into, double fromSeconds, double seconds, int midi, double fundamental) {
        double f0 = 440 * Math.pow(2, (midi - 69) / 12.0);
        int from = (int) (fromSeconds * RATE);
        for (int i = 0; i < seconds * RATE; i++) {
            double t = (double) i / RATE;
            double v = 0;
            for (int k = 1; k <= 8; k++) {
                v += (k == 1 ? fundamental : 1.0) / k * Math.sin(2 * Math.PI * k * f0 * t + k);
            }
            into[from + i] += (float) (0.1 * v * Math.exp(-2 * t));
        }
    }

    @Test
    void aLowNoteWithAWeakFundamentalHeardAnOctaveHighIsMovedDown() {
        float[] stem = new float[RATE * 2];
        tone(stem, 0.0, 0.9, 28, 0.05); // E1, fundamental nearly gone: sounds like E2
        LowerOctaves check = new LowerOctaves(RATE);

        assertThat(check.oddToEven(stem, 0.02, 40)).isGreaterThan(LowerOctaves.ODD_EVEN_RATIO);
        LowerOctaves.Result result = check.correct(List.of(new Note(0.0, 0.9, 40, 90)), stem);
        assertThat(result.notes()).containsExactly(new Note(0.0, 0.9, 28, 90));
        assertThat(result.lowered()).isEqualTo(1);
    }

    @Test
    void aNoteHeardAtItsOwnPitchStays() {
        float[] stem = new float[RATE * 2];
        tone(stem, 0.0, 0.9, 40, 1.0);
        tone(stem, 1.0, 0.9, 33, 0.3);
        LowerOctaves check = new LowerOctaves(RATE);
        List<Note> line = List.of(new Note(0.0, 0.9, 40, 90), new Note(1.0, 1.9, 33, 80));

        assertThat(check.oddToEven(stem, 0.02, 40)).isLessThan(0.1);
        LowerOctaves.Result result = check.correct(line, stem);
        assertThat(result.notes()).isEqualTo(line);
        assertThat(result.lowered()).isZero();
    }

    @Test
    void neverBelowTheLowB() {
        float[] stem = new float[RATE * 2];
        tone(stem, 0.0, 0.9, 22, 0.05); // heard as 34; 22 is below the five-string's low B
        LowerOctaves check = new LowerOctaves(RATE);

        assertThat(check.oddToEven(stem, 0.02, 34)).isGreaterThan(LowerOctaves.ODD_EVEN_RATIO);
        assertThat(check.correct(List.of(new Note(0.0, 0.9, 34, 90)), stem).notes()).extracting(Note::midi)
                .containsExactly(34);
    }

    @Test
    void silenceAndNotesPastTheEndAreLeftAlone() {
        float[] stem = new float[RATE];
        LowerOctaves check = new LowerOctaves(RATE);

        assertThat(check.oddToEven(stem, 0.02, 40)).isZero();
        assertThat(check.oddToEven(stem, 5.0, 40)).isZero();
        List<Note> line = List.of(new Note(0.1, 0.5, 40, 90), new Note(5.0, 5.5, 45, 90));
        assertThat(check.correct(line, stem).notes()).isEqualTo(line);
    }

    @Test
    void theWindowFollowsTheSampleRate() {
        float[] at44 = new float[44_100 * 2];
        double f0 = 440 * Math.pow(2, (28 - 69) / 12.0);
        for (int i = 0; i < at44.length; i++) {
            double t = i / 44_100.0;
            for (int k = 2; k <= 8; k++) {
                at44[i] += (float) (0.1 / k * Math.sin(2 * Math.PI * k * f0 * t));
            }
        }
        assertThat(new LowerOctaves(44_100).oddToEven(at44, 0.02, 40)).isGreaterThan(LowerOctaves.ODD_EVEN_RATIO);
        assertThatThrownBy(() -> new LowerOctaves(4_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
