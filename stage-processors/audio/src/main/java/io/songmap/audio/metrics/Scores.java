package io.songmap.audio.metrics;

/** Precision, recall and F-measure of one comparison. */
public record Scores(double precision, double recall, double fMeasure) {

    public static final Scores ZERO = new Scores(0, 0, 0);

    /** mir_eval's {@code util.f_measure} with beta 1: zero when both are zero. */
    public static Scores of(int matched, int estimated, int reference) {
        double precision = (double) matched / estimated;
        double recall = (double) matched / reference;
        double f = precision == 0 && recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new Scores(precision, recall, f);
    }
}
