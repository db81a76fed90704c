package io.songmap.audio.dsp;

import java.util.Objects;

/**
 * Onset strength over time: the log-compressed mel spectral flux (the sum over mel bands of each band's
 * rise since the frame whose window overlaps it by half, falls ignored). Both the onset detector and
 * the beat tracker read it, so a stage that wants both computes it once.
 *
 * <p>The flux peaks when an onset sits a quarter window after a frame's centre, where the Hann window
 * reaches one half (measured on synthesized kicks, snares, hi-hats and clicks: within 1.2 ms). So the
 * frame for value {@code i} is centred a quarter window <i>before</i> sample {@code i * hop}, and value
 * {@code i} speaks for time {@code i * hop / sampleRate}: no onset comes out early, and one at the very
 * first sample is still seen (before the signal, frames are silent).
 *
 * @param values     one value per frame, never negative
 * @param hop        samples between frames
 * @param frameSize  STFT window length in samples
 * @param sampleRate of the analysed signal
 */
public record OnsetEnvelope(float[] values, int hop, int frameSize, int sampleRate) {

    /**
     * Analysis settings.
     *
     * @param frameSeconds window length, rounded up to a power-of-two frame size
     * @param hopSeconds   time between frames
     * @param melBands     number of mel bands
     * @param minHz        lowest band edge
     * @param maxHz        highest band edge (clamped to Nyquist)
     * @param compression  {@code log(1 + compression * magnitude)}, magnitudes scaled so a full-scale sine is 1
     */
    public record Settings(double frameSeconds, double hopSeconds, int melBands, double minHz, double maxHz,
            double compression) {
        /** 23 ms windows every 5 ms, 64 bands from 30 Hz to 16 kHz, 60 dB of compression range. */
        public static final Settings DEFAULT = new Settings(0.023, 0.005, 64, 30, 16_000, 1_000);

        public Settings {
            if (!(frameSeconds > 0) || !(hopSeconds > 0) || hopSeconds > frameSeconds) {
                throw new IllegalArgumentException("need 0 < hopSeconds <= frameSeconds: " + hopSeconds + ", " + frameSeconds);
            }
            if (melBands <= 0 || !(minHz >= 0) || !(maxHz > minHz) || !(compression > 0)) {
                throw new IllegalArgumentException("invalid onset envelope settings");
            }
        }
    }

    public OnsetEnvelope {
        Objects.requireNonNull(values, "values");
        if (hop <= 0 || frameSize <= 0 || sampleRate <= 0) {
            throw new IllegalArgumentException("hop, frameSize and sampleRate must be positive");
        }
    }

    public static OnsetEnvelope of(float[] mono, int sampleRate) {
        return of(mono, sampleRate, Settings.DEFAULT);
    }

    public static OnsetEnvelope of(float[] mono, int sampleRate, Settings settings) {
        int hop = Math.max(1, (int) Math.round(settings.hopSeconds() * sampleRate));
        int frameSize = Integer.highestOneBit((int) Math.ceil(settings.frameSeconds() * sampleRate) - 1) << 1;
        frameSize = Math.max(frameSize, Math.max(64, Integer.highestOneBit(hop) << 1));
        Stft stft = new Stft(frameSize, hop);
        double maxHz = Math.min(settings.maxHz(), sampleRate / 2.0);
        MelFilterbank mel = new MelFilterbank(settings.melBands(), frameSize, sampleRate, settings.minHz(), maxHz);
        int frames = 1 + mono.length / hop;
        // Compare with the frame whose window overlaps this one by about half.
        int lag = Math.max(1, (int) Math.round(frameSize / 4.0 / hop));
        float[] spectrum = new float[stft.bins()];
        float[][] history = new float[lag + 1][mel.bands()];
        float[] values = new float[frames];
        float scale = (float) (settings.compression() * 4.0 / frameSize);
        // Frames whose window runs past the end would see the cut-off as a burst of broadband energy.
        int lastWhole = (mono.length - frameSize / 4) / hop;
        for (int f = 0; f <= Math.min(lastWhole, frames - 1); f++) {
            stft.magnitudesAt(mono, f * hop - frameSize / 4, spectrum);
            float[] bands = history[f % (lag + 1)];
            mel.apply(spectrum, bands);
            for (int b = 0; b < bands.length; b++) {
                bands[b] = (float) Math.log1p(scale * bands[b]);
            }
            // Frame f - lag; still all zeros (silence: log1p(0)) while f < lag.
            float[] previous = history[(f + 1) % (lag + 1)];
            float flux = 0;
            for (int b = 0; b < bands.length; b++) {
                float rise = bands[b] - previous[b];
                if (rise > 0) {
                    flux += rise;
                }
            }
            values[f] = flux;
        }
        return new OnsetEnvelope(values, hop, frameSize, sampleRate);
    }

    public int frames() {
        return values.length;
    }

    public double frameRate() {
        return (double) sampleRate / hop;
    }

    /** The time in seconds of an onset whose envelope peak is at (possibly fractional) {@code frame}. */
    public double time(double frame) {
        return frame * hop / sampleRate;
    }
}
