package io.songmap.audio.drums;

/**
 * The compressor AnNOTEator applies to each clip (Spotify pedalboard's {@code Compressor}, which is
 * JUCE's {@code dsp::Compressor}): a peak envelope follower with one-pole attack and release
 * ({@code y = x + c (y - x)}, {@code c = exp(-2 pi 1000 / (ms * sr))}, the attack coefficient while
 * the level rises), and above the threshold a gain of {@code (env / threshold)^(1/ratio - 1)}.
 * No make-up gain, no knee, no look-ahead.
 */
public final class FeedForwardCompressor {

    private final double threshold;
    private final double exponent;
    private final double attackCoefficient;
    private final double releaseCoefficient;

    public FeedForwardCompressor(double thresholdDb, double ratio, double attackMs, double releaseMs, double sampleRate) {
        if (ratio < 1) {
            throw new IllegalArgumentException("ratio must be >= 1, got " + ratio);
        }
        this.threshold = Math.pow(10, thresholdDb / 20);
        this.exponent = 1 / ratio - 1;
        this.attackCoefficient = coefficient(attackMs, sampleRate);
        this.releaseCoefficient = coefficient(releaseMs, sampleRate);
    }

    /** AnNOTEator's settings: threshold -27 dB, ratio 4:1, attack 1 ms, release 200 ms. */
    public static FeedForwardCompressor annoteator(double sampleRate) {
        return new FeedForwardCompressor(-27, 4, 1, 200, sampleRate);
    }

    private static double coefficient(double ms, double sampleRate) {
        // JUCE BallisticsFilter: times under 1 microsecond follow the input instantly
        return ms < 1e-3 ? 0 : Math.exp(-2 * Math.PI * 1000 / (ms * sampleRate));
    }

    /** Compresses {@code samples} in place, the envelope starting from silence. */
    public void process(float[] samples) {
        double env = 0;
        for (int i = 0; i < samples.length; i++) {
            double x = samples[i];
            double level = Math.abs(x);
            double c = level > env ? attackCoefficient : releaseCoefficient;
            env = level + c * (env - level);
            if (env >= threshold) {
                samples[i] = (float) (x * Math.pow(env / threshold, exponent));
            }
        }
    }
}
