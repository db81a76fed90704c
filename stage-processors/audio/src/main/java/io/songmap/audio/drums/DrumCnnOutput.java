package io.songmap.audio.drums;

import io.songmap.audio.songmap.DrumInstrument;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the six sigmoid outputs of the AnNOTEator CNN, in its order SD, HH, KD, RC, TT, CC, as the
 * reference does: every class whose score rounds to 1 ({@code np.round}, so strictly above 0.5; an
 * exact 0.5 rounds half to even, to 0) is a hit; when none does, the single most likely class.
 */
public final class DrumCnnOutput {

    /** The instrument of each output, in the model's order. */
    public static final List<DrumInstrument> ORDER = List.of(
            DrumInstrument.SNARE, DrumInstrument.HIHAT, DrumInstrument.KICK,
            DrumInstrument.RIDE, DrumInstrument.TOM, DrumInstrument.CRASH);
    public static final int CLASSES = 6;
    public static final double THRESHOLD = 0.5;

    private DrumCnnOutput() {}

    /** The instruments hit, in the model's order; never empty. */
    public static List<DrumInstrument> decode(float[] scores) {
        return decode(scores, 0);
    }

    /** As {@link #decode(float[])} for the item whose six scores start at {@code offset}. */
    public static List<DrumInstrument> decode(float[] scores, int offset) {
        if (offset < 0 || offset + CLASSES > scores.length) {
            throw new IllegalArgumentException("need " + CLASSES + " scores at " + offset + ", have " + scores.length);
        }
        List<DrumInstrument> hits = new ArrayList<>(2);
        int best = 0;
        for (int c = 0; c < CLASSES; c++) {
            float s = scores[offset + c];
            if (s > THRESHOLD) {
                hits.add(ORDER.get(c));
            }
            if (s > scores[offset + best]) {
                best = c;
            }
        }
        if (hits.isEmpty()) {
            hits.add(ORDER.get(best));
        }
        return List.copyOf(hits);
    }
}
