package io.songmap.audio.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.songmap.audio.decode.AudioDecoder;
import io.songmap.audio.decode.PcmAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BeatTrackerTest {
    private static final Path SHARED_KICKS = Path.of("../../../shared/data/808kick120bpm.mp3");

    private final BeatTracker tracker = new BeatTracker();

    /** Share of {@code expected} beats with a tracked beat within {@code window} seconds. */
    static double recall(double[] expected, double[] tracked, double window) {
        int hit = 0;
        for (double t : expected) {
            for (double b : tracked) {
                if (Math.abs(b - t) <= window) {
                    hit++;
                    break;
                }
            }
        }
        return (double) hit / expected.length;
    }

    static void assertTracks(DrumSynth.Rendering r, double bpm, BeatTrack track) {
        assertThat(track.bpm() / bpm).as("tempo ratio").isCloseTo(1.0, within(0.04));
        assertThat(recall(r.beats(), track.beats(), 0.02)).as("true beats found").isGreaterThanOrEqualTo(0.9);
        assertThat(recall(track.beats(), r.beats(), 0.02)).as("tracked beats that are true").isGreaterThanOrEqualTo(0.9);
    }

    @ParameterizedTest
    @ValueSource(doubles = {80, 100, 120, 140, 174})
    void clickTrack(double bpm) {
        DrumSynth.Rendering r = DrumSynth.clickTrack(bpm, 20, 0.37, 44_100);
        assertTracks(r, bpm, tracker.track(r.samples(), r.sampleRate()));
    }

    @ParameterizedTest
    @ValueSource(doubles = {80, 100, 120, 140, 174})
    void rockBeatWithEighthNoteHiHats(double bpm) {
        DrumSynth.Rendering r = DrumSynth.rockBeat(bpm, 20, 0.21, 44_100, (long) bpm);
        assertTracks(r, bpm, tracker.track(r.samples(), r.sampleRate()));
    }

    /**
     * Sixteenth-note hi-hats make the full-band envelope pulse at twice a slow groove's tempo about as
     * strongly as at the tempo; the kick and snare below 500 Hz do not, and they decide.
     */
    @ParameterizedTest
    @CsvSource({"80, ONE_AND_THREE", "86, ONE_AND_THREE", "93, ONE_AND_THREE", "86, SYNCOPATED", "93, SYNCOPATED",
        "76, EVERY_BEAT", "80, EVERY_BEAT", "86, EVERY_BEAT"})
    void slowGroovesWithSixteenthNoteHiHats(double bpm, DrumSynth.Kicks kicks) {
        DrumSynth.Rendering r = DrumSynth.sixteenthGroove(bpm, 16, 0.3, 44_100, kicks, (long) bpm);
        assertTracks(r, bpm, tracker.track(r.samples(), r.sampleRate()));
    }

    /**
     * GM drum patterns rendered by FluidSynth (see {@code audio/gm-drums/render.sh}): kick patterns, snare
     * on 2 and 4, and closed hi-hats in eighths or sixteenths, open hi-hats on the off-beats, or a ride.
     * The first beat is at one beat's length; FluidSynth sounds a few milliseconds late.
     */
    @ParameterizedTest
    @ValueSource(strings = {"four-90", "eighths-84", "sixteenths-100", "ride-130", "four-140", "eighths-150"})
    void generalMidiDrumPatterns(String name) throws Exception {
        double bpm = Double.parseDouble(name.substring(name.indexOf('-') + 1));
        Path file = Files.createTempFile("gm-", ".opus");
        try (var in = BeatTrackerTest.class.getResourceAsStream("/audio/gm-drums/" + name + ".opus")) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        PcmAudio audio = new AudioDecoder().decode(file).audio();
        Files.delete(file);
        int bars = (int) Math.floor(12 / (4 * 60 / bpm)) - 1;
        double[] beats = new double[bars * 4];
        for (int k = 0; k < beats.length; k++) {
            beats[k] = (k + 1) * 60 / bpm;
        }

        BeatTrack track = tracker.track(audio.mixToMono(), audio.sampleRate());

        assertThat(track.bpm() / bpm).as("tempo ratio").isCloseTo(1.0, within(0.04));
        assertThat(recall(beats, track.beats(), 0.02)).as("true beats found").isGreaterThanOrEqualTo(0.9);
        assertThat(recall(track.beats(), beats, 0.02)).as("tracked beats that are true").isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void theEnvelopeOfTheOnsetDetectorCanBeShared() {
        DrumSynth.Rendering r = DrumSynth.rockBeat(96, 15, 0.5, 44_100, 8);
        OnsetEnvelope envelope = OnsetEnvelope.of(r.samples(), r.sampleRate());

        BeatTrack track = tracker.track(envelope, r.samples());

        assertTracks(r, 96, track);
        assertThat(new OnsetDetector().detect(envelope)).isNotEmpty();
    }

    @Test
    void silenceHasNoBeats() {
        BeatTrack track = tracker.track(new float[44_100 * 5], 44_100);
        assertThat(track.bpm()).isZero();
        assertThat(track.beats()).isEmpty();
    }

    @Test
    void theSharedKickPatternIs120Bpm() throws Exception {
        assumeTrue(Files.isReadable(SHARED_KICKS), "shared test data not present");
        PcmAudio audio = new AudioDecoder().decode(SHARED_KICKS).audio();

        BeatTrack track = tracker.track(audio.mixToMono(), audio.sampleRate());

        assertThat(track.bpm()).isCloseTo(120, within(120 * 0.04));
        double[] kicks = new double[20];
        for (int k = 0; k < kicks.length; k++) {
            kicks[k] = 0.5 * k;
        }
        assertThat(recall(kicks, track.beats(), 0.01)).isGreaterThanOrEqualTo(0.95);
    }
}
