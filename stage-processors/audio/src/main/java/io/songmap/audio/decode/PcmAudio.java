package io.songmap.audio.decode;

import java.time.Duration;
import java.util.Objects;

/**
 * Uncompressed audio as 32-bit float samples, <b>planar</b>: {@code samples[channel][frame]}, nominally in
 * [-1, 1] (decoders do not clip, so lossy codecs may overshoot slightly). Planar because every consumer
 * here (separation segments, STFTs, resampling to mono) walks one channel at a time.
 *
 * <p>The arrays are shared, not copied: a song is tens of megabytes and passes through several stages.
 * Treat them as read-only.
 */
public record PcmAudio(int sampleRate, float[][] samples) {

    public PcmAudio {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
        Objects.requireNonNull(samples, "samples");
        if (samples.length == 0) {
            throw new IllegalArgumentException("at least one channel is required");
        }
        int frames = samples[0].length;
        for (float[] channel : samples) {
            if (Objects.requireNonNull(channel, "channel").length != frames) {
                throw new IllegalArgumentException("all channels must have the same length");
            }
        }
    }

    public int channels() {
        return samples.length;
    }

    /** Samples per channel. */
    public int frames() {
        return samples[0].length;
    }

    public float[] channel(int index) {
        return samples[index];
    }

    public double durationSeconds() {
        return (double) frames() / sampleRate;
    }

    public Duration duration() {
        return Duration.ofNanos(Math.round(frames() * 1e9 / sampleRate));
    }

    /** The average of all channels, at this audio's rate. A mono input returns its own array. */
    public float[] mixToMono() {
        if (samples.length == 1) {
            return samples[0];
        }
        int n = frames();
        float[] mono = new float[n];
        float scale = 1f / samples.length;
        for (float[] channel : samples) {
            for (int i = 0; i < n; i++) {
                mono[i] += channel[i];
            }
        }
        for (int i = 0; i < n; i++) {
            mono[i] *= scale;
        }
        return mono;
    }

    /** Mono at {@code targetRate} (22,050 Hz for basic-pitch, 16,000 Hz for ASR), resampled with {@link Resampler}. */
    public float[] toMono(int targetRate) {
        return Resampler.between(sampleRate, targetRate).process(mixToMono());
    }

    @Override
    public String toString() {
        return "PcmAudio[" + sampleRate + " Hz, " + channels() + " ch, " + frames() + " frames]";
    }
}
