package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.audio.drums.AnnoteatorFeature;
import io.songmap.audio.drums.DrumCnnOutput;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.inference.cpu.HostTensor;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real model on real drum sounds: single General MIDI hits rendered by FluidSynth with the GM
 * soundfont (resources {@code drum_cnn/hits/}, see {@code render.py}), fed through the AnNOTEator
 * input pipeline and decoded as the reference does.
 */
class DrumCnnRenderedHitsTest {

    private static final int SAMPLE_RATE = 44_100;
    /** The hits start at sample 0 of their files; FluidSynth sounds ~2.4 ms late. */
    private static final int LEAD_IN = 22_050;
    private static final int ONSET = LEAD_IN + 106;

    record Hit(String file, DrumInstrument expected) {}

    @Test
    void kickSnareAndHihatAreKdSdAndHh() throws Exception {
        List<Hit> hits = List.of(new Hit("kick", DrumInstrument.KICK), new Hit("snare", DrumInstrument.SNARE),
                new Hit("hihat", DrumInstrument.HIHAT));
        double[] tempi = {90, 110};
        float[] batch = new float[hits.size() * tempi.length * 128 * 18];
        int item = 0;
        for (Hit hit : hits) {
            float[] track = withLeadIn(wav("/drum_cnn/hits/" + hit.file() + ".wav"));
            for (double bpm : tempi) {
                float[] feature = AnnoteatorFeature.forOnset(track, SAMPLE_RATE, ONSET, bpm);
                System.arraycopy(feature, 0, batch, item++ * feature.length, feature.length);
            }
        }

        float[] scores;
        try (DrumCnnModel model = new DrumCnnModel()) {
            scores = model.infer(Map.of(DrumCnnModel.INPUT, HostTensor.fp32(new long[] {item, 128, 18, 1}, batch)))
                    .get(DrumCnnModel.OUTPUT).toFloatArray();
        }

        List<String> decoded = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        item = 0;
        for (Hit hit : hits) {
            for (double bpm : tempi) {
                List<DrumInstrument> got = DrumCnnOutput.decode(scores, item * 6);
                System.out.printf("drum_cnn: %s at %.0f BPM -> %s (SD %.2f HH %.2f KD %.2f RC %.2f TT %.2f CC %.2f)%n",
                        hit.file(), bpm, got, scores[item * 6], scores[item * 6 + 1], scores[item * 6 + 2],
                        scores[item * 6 + 3], scores[item * 6 + 4], scores[item * 6 + 5]);
                decoded.add(hit.file() + "@" + bpm + "=" + got);
                expected.add(hit.file() + "@" + bpm + "=" + List.of(hit.expected()));
                item++;
            }
        }
        assertThat(decoded).containsExactlyElementsOf(expected);
    }

    private static float[] withLeadIn(float[] hit) {
        float[] track = new float[LEAD_IN + hit.length];
        System.arraycopy(hit, 0, track, LEAD_IN, hit.length);
        return track;
    }

    /** A 16-bit mono PCM WAV with a plain 44-byte header, as render.py writes them. */
    static float[] wav(String resource) throws Exception {
        try (InputStream in = DrumCnnRenderedHitsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            byte[] bytes = in.readAllBytes();
            ByteBuffer b = ByteBuffer.wrap(bytes, 44, bytes.length - 44).order(ByteOrder.LITTLE_ENDIAN);
            float[] samples = new float[b.remaining() / 2];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = b.getShort() / 32768f;
            }
            return samples;
        }
    }
}
