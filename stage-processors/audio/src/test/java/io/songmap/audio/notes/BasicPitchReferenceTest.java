package io.songmap.audio.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.songmap.audio.notes.BasicPitchDecoder.FrameNote;
import io.songmap.audio.notes.BasicPitchDecoder.Params;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against notes the reference Python implementation produced for the same synthetic
 * activations (noise plus random notes from a 32-bit LCG both sides generate identically):
 * same notes, in the same order, with the same frame indices, times and amplitudes.
 */
class BasicPitchReferenceTest {

    private static final String FIXTURE = "notes/basic-pitch-reference-notes.json";

    static Stream<JsonNode> cases() throws IOException {
        try (InputStream in = BasicPitchReferenceTest.class.getClassLoader().getResourceAsStream(FIXTURE)) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            root.get("cases").forEach(cases::add);
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("cases")
    void decodesExactlyAsTheReference(JsonNode testCase) {
        int nFrames = testCase.get("frames").asInt();
        float[][] frames = new float[nFrames][88];
        float[][] onsets = new float[nFrames][88];
        generate(testCase.get("seed").asLong(), frames, onsets, testCase.get("notes").asInt());
        Params params = Params.defaults().withInferOnsets(testCase.get("inferOnsets").asBoolean())
                .withMelodiaTrick(testCase.get("melodiaTrick").asBoolean());

        List<FrameNote> notes = BasicPitchDecoder.decodeFrames(frames, onsets, params);

        JsonNode expected = testCase.get("expected");
        assertThat(notes).hasSize(expected.size());
        for (int i = 0; i < notes.size(); i++) {
            FrameNote note = notes.get(i);
            JsonNode want = expected.get(i);
            assertThat(note.startFrame()).as("note %d start", i).isEqualTo(want.get("startFrame").asInt());
            assertThat(note.endFrame()).as("note %d end", i).isEqualTo(want.get("endFrame").asInt());
            assertThat(note.midi()).as("note %d pitch", i).isEqualTo(want.get("midi").asInt());
            assertThat(note.amplitude()).as("note %d amplitude", i)
                    .isCloseTo(want.get("amplitude").asDouble(), within(1e-6));
            assertThat(BasicPitchDecoder.frameToSeconds(note.startFrame()))
                    .isCloseTo(want.get("start").asDouble(), within(1e-12));
            assertThat(BasicPitchDecoder.frameToSeconds(note.endFrame()))
                    .isCloseTo(want.get("end").asDouble(), within(1e-12));
        }
    }

    /** Background activations below the thresholds, then notes with an onset and a sustained level. */
    private static void generate(long seed, float[][] frames, float[][] onsets, int noteCount) {
        Lcg rng = new Lcg(seed);
        int nFrames = frames.length;
        for (int t = 0; t < nFrames; t++) {
            for (int f = 0; f < 88; f++) {
                frames[t][f] = (float) (rng.next() * 0.25);
                onsets[t][f] = (float) (rng.next() * 0.2);
            }
        }
        for (int n = 0; n < noteCount; n++) {
            int pitch = (int) (rng.next() * 88);
            int start = (int) (rng.next() * (nFrames - 20));
            int length = 5 + (int) (rng.next() * 60);
            double level = 0.3 + rng.next() * 0.7;
            for (int t = start; t < Math.min(nFrames, start + length); t++) {
                float v = (float) (level * (0.8 + 0.2 * rng.next()));
                frames[t][pitch] = Math.max(frames[t][pitch], v);
            }
            onsets[start][pitch] = Math.max(onsets[start][pitch], (float) (0.4 + rng.next() * 0.6));
        }
    }

    private static final class Lcg {
        private long state;

        Lcg(long seed) {
            state = seed & 0xFFFFFFFFL;
        }

        double next() {
            state = (1664525L * state + 1013904223L) & 0xFFFFFFFFL;
            return state / 4294967296.0;
        }
    }
}
