package io.songmap.audio.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.PcmAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnsetDetectorTest {
    private static final Path SHARED_KICKS = Path.of("../../../shared/data/808kick120bpm.mp3");

    private final OnsetDetector detector = new OnsetDetector();

    /** Detected onsets matched one-to-one to true times within {@code window} seconds, in time order. */
    static int matches(double[] truth, List<Onset> onsets, double window) {
        int matched = 0;
        int j = 0;
        for (double t : truth) {
            while (j < onsets.size() && onsets.get(j).time() < t - window) {
                j++;
            }
            if (j < onsets.size() && Math.abs(onsets.get(j).time() - t) <= window) {
                matched++;
                j++;
            }
        }
        return matched;
    }

    @ParameterizedTest
    @EnumSource(DrumSynth.Drum.class)
    void eachDrumIsFoundWithinFiveMilliseconds(DrumSynth.Drum drum) {
        Random random = new Random(drum.ordinal());
        List<DrumSynth.Hit> hits = new ArrayList<>();
        double t = 0.3;
        for (int k = 0; k < 16; k++) {
            hits.add(new DrumSynth.Hit(t, drum, 0.5 + 0.5 * random.nextDouble()));
            t += 0.15 + 0.3 * random.nextDouble();
        }
        DrumSynth.Rendering r = DrumSynth.render(hits, t + 0.5, 44_100, new double[0], 9);

        List<Onset> onsets = detector.detect(r.samples(), r.sampleRate());

        assertThat(onsets).hasSize(hits.size());
        assertThat(matches(r.hitTimes(), onsets, 0.005)).isEqualTo(hits.size());
    }

    @Test
    void aRockBeatYieldsEveryHitAndNothingElse() {
        DrumSynth.Rendering r = DrumSynth.rockBeat(120, 12, 0.25, 44_100, 3);
        double[] distinct = r.hits().stream().mapToDouble(DrumSynth.Hit::time).distinct().toArray();

        List<Onset> onsets = detector.detect(r.samples(), r.sampleRate());

        assertThat(onsets).hasSize(distinct.length);
        assertThat(matches(distinct, onsets, 0.005)).isEqualTo(distinct.length);
    }

    @Test
    void aGhostNoteTwentyDecibelsDownIsFoundAndWeaker() {
        List<DrumSynth.Hit> hits = List.of(
                new DrumSynth.Hit(0.5, DrumSynth.Drum.SNARE, 1.0),
                new DrumSynth.Hit(0.75, DrumSynth.Drum.SNARE, 0.1),
                new DrumSynth.Hit(1.0, DrumSynth.Drum.SNARE, 1.0));
        DrumSynth.Rendering r = DrumSynth.render(hits, 1.6, 44_100, new double[0], 4);

        List<Onset> onsets = detector.detect(r.samples(), r.sampleRate());

        assertThat(onsets).hasSize(3);
        assertThat(onsets.get(1).strength()).isLessThan(0.8 * Math.min(onsets.get(0).strength(), onsets.get(2).strength()));
        assertThat(onsets).allSatisfy(o -> assertThat(o.strength()).isGreaterThan(0).isLessThanOrEqualTo(1));
        assertThat(onsets.stream().mapToDouble(Onset::strength).max().orElseThrow()).isEqualTo(1.0);
    }

    @Test
    void aHitOnTheVeryFirstSampleCounts() {
        DrumSynth.Rendering r = DrumSynth.render(List.of(new DrumSynth.Hit(0, DrumSynth.Drum.KICK, 1)), 1, 44_100,
                new double[0], 5);

        List<Onset> onsets = detector.detect(r.samples(), r.sampleRate());

        assertThat(onsets).hasSize(1);
        assertThat(onsets.get(0).time()).isLessThan(0.003);
    }

    @Test
    void silenceHasNoOnsets() {
        assertThat(detector.detect(new float[44_100], 44_100)).isEmpty();
    }

    @Test
    void otherSampleRatesGiveTheSameTimes() {
        DrumSynth.Rendering r = DrumSynth.rockBeat(100, 6, 0.2, 22_050, 6);
        double[] distinct = r.hits().stream().mapToDouble(DrumSynth.Hit::time).distinct().toArray();

        List<Onset> onsets = detector.detect(r.samples(), r.sampleRate());

        assertThat(matches(distinct, onsets, 0.005)).isEqualTo(distinct.length);
    }

    @Test
    void theSharedKickPatternHasAKickEveryHalfSecond() throws Exception {
        assumeTrue(Files.isReadable(SHARED_KICKS), "shared test data not present");
        PcmAudio audio = new AudioDecoder().decode(SHARED_KICKS).audio();

        List<Onset> onsets = detector.detect(audio.mixToMono(), audio.sampleRate());

        double[] kicks = new double[20];
        for (int k = 0; k < kicks.length; k++) {
            kicks[k] = 0.5 * k;
        }
        assertThat(onsets).hasSize(20);
        assertThat(matches(kicks, onsets, 0.003)).isEqualTo(20);
    }
}
