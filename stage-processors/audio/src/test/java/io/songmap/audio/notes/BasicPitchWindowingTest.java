package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BasicPitchWindowingTest {

    @Test
    void constantsAreTheReferences() {
        assertThat(BasicPitchWindowing.WINDOW_SAMPLES).isEqualTo(43_844);
        assertThat(BasicPitchWindowing.OVERLAP_SAMPLES).isEqualTo(7_680);
        assertThat(BasicPitchWindowing.HOP_SAMPLES).isEqualTo(36_164);
        assertThat(BasicPitchWindowing.PAD_SAMPLES).isEqualTo(3_840);
        assertThat(BasicPitchWindowing.ANNOTATIONS_FPS).isEqualTo(86);
        assertThat(BasicPitchWindowing.KEPT_FRAMES).isEqualTo(142);
    }

    @Test
    void audioIsPaddedAtTheStartAndCutIntoOverlappingWindows() {
        float[] audio = new float[100_000];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = i + 1;
        }

        List<float[]> windows = BasicPitchWindowing.windows(audio);

        // (100,000 + 3,840) / 36,164 = 2.87: three windows, the last zero-padded.
        assertThat(windows).hasSize(3).allSatisfy(w -> assertThat(w).hasSize(43_844));
        assertThat(windows.get(0)[3_839]).isZero();
        assertThat(windows.get(0)[3_840]).isEqualTo(1f);
        assertThat(windows.get(0)[43_843]).isEqualTo(40_004f);
        assertThat(windows.get(1)[0]).isEqualTo(36_164f - 3_840 + 1);
        assertThat(windows.get(1)[7_679]).isEqualTo(windows.get(0)[36_164 + 7_679]);
        assertThat(windows.get(2)[0]).isEqualTo(2 * 36_164f - 3_840 + 1);
        int lastSample = 100_000 - (2 * 36_164 - 3_840);
        assertThat(windows.get(2)[lastSample - 1]).isEqualTo(100_000f);
        assertThat(windows.get(2)[lastSample]).isZero();
    }

    @Test
    void exactMultiplesOfTheHopNeedNoExtraWindow() {
        assertThat(BasicPitchWindowing.windowCount(36_164 - 3_840)).isEqualTo(1);
        assertThat(BasicPitchWindowing.windowCount(36_164 - 3_840 + 1)).isEqualTo(2);
        assertThat(BasicPitchWindowing.windows(new float[0])).hasSize(1);
    }

    @Test
    void unwrapDropsHalfTheOverlapAtBothEdgesAndTrimsToTheAudio() {
        List<float[][]> perWindow = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            float[][] window = new float[172][1];
            for (int j = 0; j < 172; j++) {
                window[j][0] = w * 1000 + j;
            }
            perWindow.add(window);
        }
        int samples = 100_000;

        float[][] stitched = BasicPitchWindowing.unwrap(perWindow, samples);

        assertThat(stitched).hasNumberOfRows((int) Math.floor(samples * (86.0 / 22_050)));
        assertThat(stitched[0][0]).isEqualTo(15f);
        assertThat(stitched[141][0]).isEqualTo(156f);
        assertThat(stitched[142][0]).isEqualTo(1015f);
        assertThat(stitched[284][0]).isEqualTo(2015f);
        assertThat(stitched[389][0]).isEqualTo(2120f);
    }
}
