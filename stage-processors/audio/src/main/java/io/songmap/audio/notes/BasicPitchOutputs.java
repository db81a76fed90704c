package io.songmap.audio.notes;

/**
 * The Basic Pitch model's outputs for one input window: note (frame) and onset activations
 * {@code [172][88]} (pitch index 0 = MIDI 21) and the pitch contour {@code [172][264]} (three bins per
 * semitone from 27.5 Hz).
 */
public record BasicPitchOutputs(float[][] note, float[][] onset, float[][] contour) {

    public static final int PITCHES = 88;
    public static final int CONTOUR_BINS = 264;

    public BasicPitchOutputs {
        check("note", note, PITCHES);
        check("onset", onset, PITCHES);
        if (contour != null) {
            check("contour", contour, CONTOUR_BINS);
        }
    }

    private static void check(String name, float[][] matrix, int bins) {
        if (matrix == null || matrix.length != BasicPitchWindowing.WINDOW_FRAMES) {
            throw new IllegalArgumentException(name + " must have " + BasicPitchWindowing.WINDOW_FRAMES + " frames");
        }
        for (float[] row : matrix) {
            if (row.length != bins) {
                throw new IllegalArgumentException(name + " frames must have " + bins + " bins, got " + row.length);
            }
        }
    }
}
