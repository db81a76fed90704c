package io.songmap.audio.notes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Turns Basic Pitch model outputs into notes the way the reference implementation
 * ({@code output_to_notes_polyphonic} with {@code model_frames_to_time}) does: onsets inferred from
 * jumps in the frame activations as well as predicted, onset peaks above the onset threshold followed
 * forward while the frame activation stays above the frame threshold (with an energy tolerance), then
 * the "melodia trick" tracing the remaining strongest activations in both directions; notes no longer
 * than the minimum length are dropped. Frame indices become seconds with the reference's per-window
 * correction.
 */
public final class BasicPitchDecoder {

    public static final int MIDI_OFFSET = 21;
    private static final int MAX_FREQ_IDX = BasicPitchOutputs.PITCHES - 1;
    private static final int INFERRED_ONSET_DIFFS = 2;

    /** Decoding settings; the defaults are the reference's. Frequency limits are optional (null). */
    public record Params(double onsetThreshold, double frameThreshold, double minNoteLengthMs, boolean inferOnsets,
            boolean melodiaTrick, int energyTolerance, Double minFrequencyHz, Double maxFrequencyHz) {

        public Params {
            if (!(onsetThreshold >= 0 && onsetThreshold <= 1) || !(frameThreshold >= 0 && frameThreshold <= 1)) {
                throw new IllegalArgumentException("thresholds must be in 0..1");
            }
            if (!(minNoteLengthMs >= 0)) {
                throw new IllegalArgumentException("minNoteLengthMs must be >= 0: " + minNoteLengthMs);
            }
            if (energyTolerance < 1) {
                throw new IllegalArgumentException("energyTolerance must be >= 1: " + energyTolerance);
            }
            if (minFrequencyHz != null && maxFrequencyHz != null && minFrequencyHz >= maxFrequencyHz) {
                throw new IllegalArgumentException("minFrequencyHz must be below maxFrequencyHz");
            }
        }

        /** Onset 0.5, frame 0.3, 127.70 ms minimum (11 frames), energy tolerance 11, melodia trick on. */
        public static Params defaults() {
            return new Params(0.5, 0.3, 127.70, true, true, 11, null, null);
        }

        public Params withFrequencyRange(Double minHz, Double maxHz) {
            return new Params(onsetThreshold, frameThreshold, minNoteLengthMs, inferOnsets, melodiaTrick,
                    energyTolerance, minHz, maxHz);
        }

        public Params withInferOnsets(boolean infer) {
            return new Params(onsetThreshold, frameThreshold, minNoteLengthMs, infer, melodiaTrick, energyTolerance,
                    minFrequencyHz, maxFrequencyHz);
        }

        public Params withMelodiaTrick(boolean melodia) {
            return new Params(onsetThreshold, frameThreshold, minNoteLengthMs, inferOnsets, melodia, energyTolerance,
                    minFrequencyHz, maxFrequencyHz);
        }

        /** The minimum note length in frames, rounded as the reference does. */
        public int minNoteFrames() {
            return (int) Math.rint(minNoteLengthMs / 1000 * ((double) BasicPitchWindowing.SAMPLE_RATE
                    / BasicPitchWindowing.FFT_HOP));
        }
    }

    /** A note in frame indices, before conversion to seconds; amplitude is the mean frame activation. */
    public record FrameNote(int startFrame, int endFrame, int midi, double amplitude) {}

    private BasicPitchDecoder() {}

    /** Notes from the per-window model outputs of {@code audioSeconds} seconds of 22,050 Hz audio. */
    public static List<Note> decode(List<BasicPitchOutputs> windows, double audioSeconds, Params params) {
        return decode(windows, (int) Math.round(audioSeconds * BasicPitchWindowing.SAMPLE_RATE), params);
    }

    /** Notes from the per-window model outputs of {@code samples} samples of 22,050 Hz audio. */
    public static List<Note> decode(List<BasicPitchOutputs> windows, int samples, Params params) {
        float[][] frames = BasicPitchWindowing.unwrap(windows.stream().map(BasicPitchOutputs::note).toList(), samples);
        float[][] onsets = BasicPitchWindowing.unwrap(windows.stream().map(BasicPitchOutputs::onset).toList(), samples);
        List<FrameNote> events = decodeFrames(frames, onsets, params);
        List<Note> notes = new ArrayList<>(events.size());
        for (FrameNote event : events) {
            int velocity = (int) Math.max(0, Math.min(127, Math.rint(127 * event.amplitude())));
            notes.add(new Note(frameToSeconds(event.startFrame()), frameToSeconds(event.endFrame()), event.midi(),
                    velocity));
        }
        notes.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::midi));
        return notes;
    }

    /**
     * The reference's frame-to-time mapping for stitched output: frame time less a small correction
     * per 172 frames (the reference applies it per window length although each window contributes
     * fewer frames; kept so that times match it).
     */
    public static double frameToSeconds(int frame) {
        double original = (double) ((long) frame * BasicPitchWindowing.FFT_HOP) / BasicPitchWindowing.SAMPLE_RATE;
        double windowOffset = ((double) BasicPitchWindowing.FFT_HOP / BasicPitchWindowing.SAMPLE_RATE)
                * (BasicPitchWindowing.WINDOW_FRAMES
                        - ((double) BasicPitchWindowing.WINDOW_SAMPLES / BasicPitchWindowing.FFT_HOP))
                + 0.0018;
        return original - windowOffset * Math.floor((double) frame / BasicPitchWindowing.WINDOW_FRAMES);
    }

    /** {@code output_to_notes_polyphonic}: note events in frame indices, in the order the reference finds them. */
    public static List<FrameNote> decodeFrames(float[][] noteActivations, float[][] onsetActivations, Params params) {
        int nFrames = noteActivations.length;
        int nFreqs = BasicPitchOutputs.PITCHES;
        double frameThresh = params.frameThreshold();
        int minNoteLen = params.minNoteFrames();
        int energyTol = params.energyTolerance();

        double[][] frames = toDouble(noteActivations);
        double[][] onsets = toDouble(onsetActivations);
        constrainFrequency(onsets, frames, params.maxFrequencyHz(), params.minFrequencyHz());
        if (params.inferOnsets()) {
            onsets = inferredOnsets(onsets, frames);
        }

        // Onset peaks (strict local maxima in time) at or above the threshold, latest first, higher pitch first.
        List<int[]> peaks = new ArrayList<>();
        for (int t = 1; t < nFrames - 1; t++) {
            for (int f = 0; f < nFreqs; f++) {
                double v = onsets[t][f];
                if (v > onsets[t - 1][f] && v > onsets[t + 1][f] && v >= params.onsetThreshold()) {
                    peaks.add(new int[] {t, f});
                }
            }
        }

        double[][] remaining = new double[nFrames][];
        for (int t = 0; t < nFrames; t++) {
            remaining[t] = frames[t].clone();
        }

        List<FrameNote> notes = new ArrayList<>();
        for (int p = peaks.size() - 1; p >= 0; p--) {
            int start = peaks.get(p)[0];
            int freq = peaks.get(p)[1];
            if (start >= nFrames - 1) {
                continue;
            }
            int i = start + 1;
            int k = 0;
            while (i < nFrames - 1 && k < energyTol) {
                if (remaining[i][freq] < frameThresh) {
                    k++;
                } else {
                    k = 0;
                }
                i++;
            }
            i -= k;
            if (i - start <= minNoteLen) {
                continue;
            }
            for (int t = start; t < i; t++) {
                remaining[t][freq] = 0;
                if (freq < MAX_FREQ_IDX) {
                    remaining[t][freq + 1] = 0;
                }
                if (freq > 0) {
                    remaining[t][freq - 1] = 0;
                }
            }
            notes.add(new FrameNote(start, i, freq + MIDI_OFFSET, mean(frames, start, i, freq)));
        }

        if (params.melodiaTrick()) {
            melodia(frames, remaining, params, minNoteLen, notes);
        }
        return notes;
    }

    /**
     * Repeatedly takes the strongest remaining activation (the first in time-major order on ties, as
     * numpy's argmax) and follows it forwards and backwards while it stays above the frame threshold.
     * Activations only ever drop to zero, so a lazily checked priority queue finds the same maxima as
     * a full scan each round.
     */
    private static void melodia(double[][] frames, double[][] remaining, Params params, int minNoteLen,
            List<FrameNote> notes) {
        int nFrames = frames.length;
        int nFreqs = BasicPitchOutputs.PITCHES;
        double frameThresh = params.frameThreshold();
        int energyTol = params.energyTolerance();

        PriorityQueue<double[]> strongest = new PriorityQueue<>((a, b) -> {
            int byValue = Double.compare(b[0], a[0]);
            return byValue != 0 ? byValue : Double.compare(a[1], b[1]);
        });
        for (int t = 0; t < nFrames; t++) {
            for (int f = 0; f < nFreqs; f++) {
                if (remaining[t][f] > frameThresh) {
                    strongest.add(new double[] {remaining[t][f], (double) t * nFreqs + f});
                }
            }
        }

        while (!strongest.isEmpty()) {
            double[] top = strongest.poll();
            int index = (int) top[1];
            int iMid = index / nFreqs;
            int freq = index % nFreqs;
            if (remaining[iMid][freq] != top[0]) {
                continue;
            }
            remaining[iMid][freq] = 0;

            int i = iMid + 1;
            int k = 0;
            while (i < nFrames - 1 && k < energyTol) {
                if (remaining[i][freq] < frameThresh) {
                    k++;
                } else {
                    k = 0;
                }
                clearAround(remaining, i, freq);
                i++;
            }
            int iEnd = i - 1 - k;

            i = iMid - 1;
            k = 0;
            while (i > 0 && k < energyTol) {
                if (remaining[i][freq] < frameThresh) {
                    k++;
                } else {
                    k = 0;
                }
                clearAround(remaining, i, freq);
                i--;
            }
            int iStart = i + 1 + k;

            if (iEnd - iStart <= minNoteLen) {
                continue;
            }
            notes.add(new FrameNote(iStart, iEnd, freq + MIDI_OFFSET, mean(frames, iStart, iEnd, freq)));
        }
    }

    private static void clearAround(double[][] remaining, int t, int freq) {
        remaining[t][freq] = 0;
        if (freq < MAX_FREQ_IDX) {
            remaining[t][freq + 1] = 0;
        }
        if (freq > 0) {
            remaining[t][freq - 1] = 0;
        }
    }

    /**
     * {@code get_infered_onsets}: the smaller of the one- and two-frame rises of the frame activation,
     * scaled to the largest predicted onset, wherever it exceeds the predicted onset. When the frames
     * never rise the reference's rescaling divides zero by zero and no onset survives; so here.
     */
    private static double[][] inferredOnsets(double[][] onsets, double[][] frames) {
        int nFrames = frames.length;
        int nFreqs = BasicPitchOutputs.PITCHES;
        double[][] diff = new double[nFrames][nFreqs];
        double maxDiff = 0;
        double maxOnset = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < nFrames; t++) {
            for (int f = 0; f < nFreqs; f++) {
                maxOnset = Math.max(maxOnset, onsets[t][f]);
                if (t < INFERRED_ONSET_DIFFS) {
                    continue;
                }
                double d = Double.POSITIVE_INFINITY;
                for (int n = 1; n <= INFERRED_ONSET_DIFFS; n++) {
                    double previous = t - n >= 0 ? frames[t - n][f] : 0;
                    d = Math.min(d, frames[t][f] - previous);
                }
                diff[t][f] = Math.max(d, 0);
                maxDiff = Math.max(maxDiff, diff[t][f]);
            }
        }
        double[][] out = new double[nFrames][nFreqs];
        for (int t = 0; t < nFrames; t++) {
            for (int f = 0; f < nFreqs; f++) {
                out[t][f] = maxDiff == 0 ? Double.NaN : Math.max(onsets[t][f], maxOnset * diff[t][f] / maxDiff);
            }
        }
        return out;
    }

    private static void constrainFrequency(double[][] onsets, double[][] frames, Double maxFreq, Double minFreq) {
        int nFreqs = BasicPitchOutputs.PITCHES;
        if (maxFreq != null) {
            int maxIdx = (int) Math.rint(hzToMidi(maxFreq) - MIDI_OFFSET);
            for (int t = 0; t < frames.length; t++) {
                for (int f = Math.max(0, maxIdx); f < nFreqs; f++) {
                    onsets[t][f] = 0;
                    frames[t][f] = 0;
                }
            }
        }
        if (minFreq != null) {
            int minIdx = (int) Math.rint(hzToMidi(minFreq) - MIDI_OFFSET);
            for (int t = 0; t < frames.length; t++) {
                for (int f = 0; f < Math.min(nFreqs, minIdx); f++) {
                    onsets[t][f] = 0;
                    frames[t][f] = 0;
                }
            }
        }
    }

    static double hzToMidi(double hz) {
        return 12 * (Math.log(hz) / Math.log(2) - Math.log(440.0) / Math.log(2)) + 69;
    }

    private static double mean(double[][] frames, int from, int to, int freq) {
        double sum = 0;
        for (int t = from; t < to; t++) {
            sum += frames[t][freq];
        }
        return sum / (to - from);
    }

    private static double[][] toDouble(float[][] matrix) {
        double[][] out = new double[matrix.length][];
        for (int t = 0; t < matrix.length; t++) {
            out[t] = new double[matrix[t].length];
            for (int f = 0; f < matrix[t].length; f++) {
                out[t][f] = matrix[t][f];
            }
        }
        return out;
    }
}
