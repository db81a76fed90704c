package io.songmap.audio.notes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The windowing of Basic Pitch's reference inference: 22,050 Hz mono audio, {@value #OVERLAP_SAMPLES}
 * zero samples prepended (half the overlap), windows of {@value #WINDOW_SAMPLES} samples every
 * {@value #HOP_SAMPLES} samples (the last one zero-padded), and on the way back the
 * {@value #EDGE_FRAMES} frames at each window edge dropped, the rest concatenated and trimmed to the
 * length of the audio.
 */
public final class BasicPitchWindowing {

    public static final int SAMPLE_RATE = 22_050;
    public static final int FFT_HOP = 256;
    /** Two seconds of audio less one hop: the model's fixed input length. */
    public static final int WINDOW_SAMPLES = 2 * SAMPLE_RATE - FFT_HOP;
    /** Output frames per window. */
    public static final int WINDOW_FRAMES = 172;
    /** Frames per second as the reference counts them (integer division). */
    public static final int ANNOTATIONS_FPS = SAMPLE_RATE / FFT_HOP;
    public static final int OVERLAP_FRAMES = 30;
    public static final int OVERLAP_SAMPLES = OVERLAP_FRAMES * FFT_HOP;
    public static final int HOP_SAMPLES = WINDOW_SAMPLES - OVERLAP_SAMPLES;
    public static final int PAD_SAMPLES = OVERLAP_SAMPLES / 2;
    public static final int EDGE_FRAMES = OVERLAP_FRAMES / 2;
    public static final int KEPT_FRAMES = WINDOW_FRAMES - 2 * EDGE_FRAMES;

    private BasicPitchWindowing() {}

    /** Number of windows for {@code samples} samples of audio. */
    public static int windowCount(int samples) {
        int padded = samples + PAD_SAMPLES;
        return (padded + HOP_SAMPLES - 1) / HOP_SAMPLES;
    }

    /** The model input windows, each {@value #WINDOW_SAMPLES} samples long. */
    public static List<float[]> windows(float[] mono22050) {
        int count = windowCount(mono22050.length);
        List<float[]> windows = new ArrayList<>(count);
        for (int w = 0; w < count; w++) {
            float[] window = new float[WINDOW_SAMPLES];
            // Window w starts at padded index w * HOP_SAMPLES; the first PAD_SAMPLES padded samples are zeros.
            int paddedStart = w * HOP_SAMPLES;
            for (int j = 0; j < WINDOW_SAMPLES; j++) {
                int source = paddedStart + j - PAD_SAMPLES;
                if (source >= mono22050.length) {
                    break;
                }
                if (source >= 0) {
                    window[j] = mono22050[source];
                }
            }
            windows.add(window);
        }
        return windows;
    }

    /** Number of output frames the reference keeps for {@code samples} samples of audio. */
    public static int frameCount(int samples) {
        return (int) Math.floor(samples * ((double) ANNOTATIONS_FPS / SAMPLE_RATE));
    }

    /**
     * Joins per-window model outputs ({@code [window][frame][bin]}, {@value #WINDOW_FRAMES} frames each)
     * into one matrix {@code [frame][bin]} covering the audio.
     */
    public static float[][] unwrap(List<float[][]> perWindow, int samples) {
        int frames = frameCount(samples);
        List<float[]> rows = new ArrayList<>(perWindow.size() * KEPT_FRAMES);
        for (float[][] window : perWindow) {
            if (window.length != WINDOW_FRAMES) {
                throw new IllegalArgumentException("a window has " + window.length + " frames, expected " + WINDOW_FRAMES);
            }
            for (int j = EDGE_FRAMES; j < WINDOW_FRAMES - EDGE_FRAMES && rows.size() < frames; j++) {
                rows.add(window[j]);
            }
        }
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOf(rows.get(i), rows.get(i).length);
        }
        return out;
    }
}
