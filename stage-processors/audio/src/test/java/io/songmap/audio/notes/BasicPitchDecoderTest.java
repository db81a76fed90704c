package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.songmap.audio.notes.BasicPitchDecoder.FrameNote;
import io.songmap.audio.notes.BasicPitchDecoder.Params;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BasicPitchDecoderTest {

    private static final int A4 = 69 - 21;

    /** Time of a stitched frame as the reference computes it. */
    private static double referenceTime(int frame) {
        double offset = (256 / 22050.0) * (172 - 43844 / 256.0) + 0.0018;
        return frame * 256 / 22050.0 - offset * Math.floor(frame / 172.0);
    }

    @Test
    void defaultMinimumNoteLengthIsElevenFrames() {
        assertThat(Params.defaults().minNoteFrames()).isEqualTo(11);
    }

    @Nested
    class FromOnsets {

        @Test
        void anOnsetPeakStartsANoteThatLastsWhileTheFrameActivationHolds() {
            float[][] frames = new float[100][88];
            float[][] onsets = new float[100][88];
            sustain(frames, A4, 20, 40, 0.8f);
            onsets[19][A4] = 0.3f;
            onsets[20][A4] = 0.9f;
            onsets[21][A4] = 0.4f;

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets, Params.defaults());

            assertThat(notes).containsExactly(new FrameNote(20, 40, 69, 0.800000011920929));
        }

        @Test
        void shortDipsBelowTheFrameThresholdAreBridgedUpToTheEnergyTolerance() {
            float[][] frames = new float[120][88];
            float[][] onsets = new float[120][88];
            sustain(frames, A4, 10, 30, 0.6f);
            sustain(frames, A4, 40, 60, 0.6f); // a 10-frame gap: less than the tolerance of 11
            onsets[10][A4] = 0.9f;

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets, Params.defaults().withInferOnsets(false));

            assertThat(notes).singleElement().satisfies(n -> {
                assertThat(n.startFrame()).isEqualTo(10);
                assertThat(n.endFrame()).isEqualTo(60);
            });
        }

        @Test
        void notesNoLongerThanElevenFramesAreDropped() {
            float[][] frames = new float[60][88];
            float[][] onsets = new float[60][88];
            sustain(frames, A4, 10, 21, 0.9f); // 11 frames
            onsets[10][A4] = 0.9f;
            sustain(frames, A4 + 5, 30, 42, 0.9f); // 12 frames
            onsets[30][A4 + 5] = 0.9f;

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets,
                    Params.defaults().withInferOnsets(false).withMelodiaTrick(false));

            assertThat(notes).extracting(FrameNote::midi).containsExactly(74);
        }

        @Test
        void onsetsAreInferredFromRisingFramesAndScaledToThePredictedOnsets() {
            float[][] frames = new float[100][88];
            float[][] onsets = new float[100][88];
            sustain(frames, A4, 20, 40, 0.8f);
            onsets[20][A4] = 0.9f; // predicted here
            sustain(frames, A4 + 12, 50, 70, 0.8f); // same rise, no predicted onset

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets,
                    Params.defaults().withMelodiaTrick(false));

            assertThat(notes).extracting(FrameNote::startFrame, FrameNote::midi)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(50, 81), org.assertj.core.groups.Tuple.tuple(20, 69));
        }
    }

    @Nested
    class MelodiaTrick {

        @Test
        void tracesStrongActivationsWithoutOnsetsInBothDirections() {
            float[][] frames = new float[200][88];
            float[][] onsets = new float[200][88];
            sustain(frames, A4, 50, 90, 0.5f);
            frames[70][A4] = 0.9f; // the peak it starts from

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets, Params.defaults().withInferOnsets(false));

            assertThat(notes).singleElement().satisfies(n -> {
                assertThat(n.startFrame()).isEqualTo(50);
                assertThat(n.endFrame()).isEqualTo(89);
                assertThat(n.midi()).isEqualTo(69);
                assertThat(n.amplitude()).isCloseTo((38 * 0.5 + 0.9) / 39, within(1e-6));
            });
        }

        @Test
        void activationNextToAnOnsetNoteIsAlreadyUsedUp() {
            float[][] frames = new float[100][88];
            float[][] onsets = new float[100][88];
            sustain(frames, A4, 20, 60, 0.8f);
            sustain(frames, A4 + 1, 20, 60, 0.7f); // the neighbouring semitone is cleared with the note
            onsets[20][A4] = 0.9f;

            List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets, Params.defaults().withInferOnsets(false));

            assertThat(notes).extracting(FrameNote::midi).containsExactly(69);
        }

        @Test
        void disabledItLeavesOnsetlessActivationsAlone() {
            float[][] frames = new float[200][88];
            float[][] onsets = new float[200][88];
            sustain(frames, A4, 50, 90, 0.5f);

            assertThat(BasicPitchDecoder.decodeFrames(frames, onsets,
                    Params.defaults().withInferOnsets(false).withMelodiaTrick(false))).isEmpty();
        }
    }

    @Test
    void frequencyLimitsSilenceOutOfRangePitches() {
        float[][] frames = new float[100][88];
        float[][] onsets = new float[100][88];
        sustain(frames, 40 - 21, 20, 40, 0.8f); // E2
        onsets[20][40 - 21] = 0.9f;
        sustain(frames, 76 - 21, 20, 40, 0.8f); // E5
        onsets[20][76 - 21] = 0.9f;

        List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets,
                Params.defaults().withFrequencyRange(null, 262.0));

        assertThat(notes).extracting(FrameNote::midi).containsExactly(40);
    }

    @Nested
    class FromModelWindows {

        @Test
        void notesFromStitchedWindowsGetTheReferenceTimesAndVelocities() {
            int samples = 5 * 22_050;
            int totalFrames = BasicPitchWindowing.frameCount(samples);
            float[][] frames = new float[totalFrames][88];
            float[][] onsets = new float[totalFrames][88];
            // One note inside the first window's kept frames, one across the first stitch, one in window 3.
            sustain(frames, A4, 30, 60, 0.8f);
            onsets[30][A4] = 0.9f;
            sustain(frames, 64 - 21, 130, 160, 0.5f);
            onsets[130][64 - 21] = 0.7f;
            sustain(frames, 45 - 21, 300, 340, 0.4f);
            onsets[300][45 - 21] = 0.6f;
            List<BasicPitchOutputs> windows = toWindows(frames, onsets, BasicPitchWindowing.windowCount(samples));

            List<Note> notes = BasicPitchDecoder.decode(windows, 5.0, Params.defaults());

            assertThat(notes).containsExactly(
                    new Note(referenceTime(30), referenceTime(60), 69, 102),
                    new Note(referenceTime(130), referenceTime(160), 64, 64),
                    new Note(referenceTime(300), referenceTime(340), 45, 51));
            assertThat(notes.get(2).start()).isCloseTo(300 * 256 / 22050.0 - 0.0103260771, within(1e-9));
        }

        /** Spreads a stitched activation matrix over model windows, with junk in the overlap halves that unwrap drops. */
        private List<BasicPitchOutputs> toWindows(float[][] frames, float[][] onsets, int count) {
            List<BasicPitchOutputs> windows = new ArrayList<>();
            for (int w = 0; w < count; w++) {
                float[][] note = new float[172][88];
                float[][] onset = new float[172][88];
                for (int j = 0; j < 172; j++) {
                    int frame = w * 142 + j - 15;
                    boolean kept = j >= 15 && j < 157;
                    for (int f = 0; f < 88; f++) {
                        boolean inside = kept && frame < frames.length;
                        note[j][f] = inside ? frames[frame][f] : kept ? 0f : 0.95f;
                        onset[j][f] = inside ? onsets[frame][f] : kept ? 0f : (j % 2 == 0 ? 0.99f : 0f);
                    }
                }
                windows.add(new BasicPitchOutputs(note, onset, new float[172][264]));
            }
            return windows;
        }
    }

    private static void sustain(float[][] frames, int pitchIndex, int from, int to, float level) {
        for (int t = from; t < to; t++) {
            frames[t][pitchIndex] = level;
        }
    }
}
