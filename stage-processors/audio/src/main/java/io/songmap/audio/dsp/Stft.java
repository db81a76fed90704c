package io.songmap.audio.dsp;

import org.jtransforms.fft.FloatFFT_1D;

/**
 * Short-time Fourier transform magnitudes with a periodic Hann window and <b>centred</b> frames: frame
 * {@code i} is centred on sample {@code i * hop}, the signal being zero beyond both ends, so frame
 * times need no offset ({@link #frameTime}). There are {@code 1 + length / hop} frames.
 *
 * <p>An instance owns an FFT plan and a scratch buffer: not thread-safe; make one per thread.
 */
public final class Stft {
    private final int frameSize;
    private final int hop;
    private final float[] window;
    private final FloatFFT_1D fft;
    private final float[] scratch;

    public Stft(int frameSize, int hop) {
        if (frameSize < 16 || Integer.bitCount(frameSize) != 1) {
            throw new IllegalArgumentException("frameSize must be a power of two >= 16: " + frameSize);
        }
        if (hop <= 0 || hop > frameSize) {
            throw new IllegalArgumentException("hop must be in 1.." + frameSize + ": " + hop);
        }
        this.frameSize = frameSize;
        this.hop = hop;
        this.window = hann(frameSize);
        this.fft = new FloatFFT_1D(frameSize);
        this.scratch = new float[frameSize];
    }

    /** A periodic Hann window (the DFT-even form used for spectral analysis). */
    public static float[] hann(int size) {
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            w[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / size));
        }
        return w;
    }

    public int frameSize() {
        return frameSize;
    }

    public int hop() {
        return hop;
    }

    /** Number of bins per frame: {@code frameSize / 2 + 1}, from 0 Hz to Nyquist. */
    public int bins() {
        return frameSize / 2 + 1;
    }

    public int frameCount(int signalLength) {
        return 1 + signalLength / hop;
    }

    public static double frameTime(int frame, int hop, double sampleRate) {
        return (double) frame * hop / sampleRate;
    }

    public double binFrequency(int bin, double sampleRate) {
        return bin * sampleRate / frameSize;
    }

    /** Magnitude spectrogram {@code [frame][bin]}. */
    public float[][] magnitudes(float[] signal) {
        int frames = frameCount(signal.length);
        float[][] out = new float[frames][bins()];
        for (int f = 0; f < frames; f++) {
            magnitudes(signal, f, out[f]);
        }
        return out;
    }

    /** Writes the magnitudes of frame {@code frame} into {@code out} (length {@link #bins()}). */
    public void magnitudes(float[] signal, int frame, float[] out) {
        magnitudesAt(signal, frame * hop, out);
    }

    /** Writes the magnitudes of the window centred on sample {@code centre} (any integer) into {@code out}. */
    public void magnitudesAt(float[] signal, int centre, float[] out) {
        int start = centre - frameSize / 2;
        int from = Math.max(0, -start);
        int to = Math.min(frameSize, signal.length - start);
        if (from > 0 || to < frameSize) {
            java.util.Arrays.fill(scratch, 0f);
        }
        if (from >= to) {
            java.util.Arrays.fill(out, 0f);
            return;
        }
        for (int i = from; i < to; i++) {
            scratch[i] = signal[start + i] * window[i];
        }
        fft.realForward(scratch);
        int half = frameSize / 2;
        out[0] = Math.abs(scratch[0]);
        out[half] = Math.abs(scratch[1]);
        for (int k = 1; k < half; k++) {
            float re = scratch[2 * k];
            float im = scratch[2 * k + 1];
            out[k] = (float) Math.sqrt(re * re + im * im);
        }
    }
}
