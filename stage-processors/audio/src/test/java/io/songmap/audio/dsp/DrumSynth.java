package io.songmap.audio.dsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthesized drum sounds and patterns with exactly known hit times, for detector and tracker tests. */
final class DrumSynth {
    enum Drum { KICK, SNARE, HIHAT, CLICK }

    record Hit(double time, Drum drum, double velocity) {
    }

    record Rendering(float[] samples, int sampleRate, List<Hit> hits, double[] beats) {
        double[] hitTimes() {
            return hits.stream().mapToDouble(Hit::time).toArray();
        }
    }

    private DrumSynth() {
    }

    static float[] sound(Drum drum, int sampleRate, Random random) {
        int n = (int) (0.35 * sampleRate);
        float[] x = new float[n];
        double phase = 0;
        double hp = 0;
        double previous = 0;
        for (int i = 0; i < n; i++) {
            double t = (double) i / sampleRate;
            double v;
            switch (drum) {
                case KICK -> {
                    double f = 50 + 110 * Math.exp(-t / 0.03);
                    phase += 2 * Math.PI * f / sampleRate;
                    v = Math.sin(phase) * Math.exp(-t / 0.12) + (t < 0.002 ? 0.3 * random.nextGaussian() : 0);
                }
                case SNARE -> {
                    phase += 2 * Math.PI * 185 / sampleRate;
                    v = 0.5 * Math.sin(phase) * Math.exp(-t / 0.04) + 0.5 * random.nextGaussian() * Math.exp(-t / 0.07);
                }
                case HIHAT -> {
                    double noise = random.nextGaussian();
                    hp = noise - previous; // first difference: a crude high-pass
                    previous = noise;
                    v = 0.25 * hp * Math.exp(-t / 0.025);
                }
                case CLICK -> {
                    phase += 2 * Math.PI * 1500 / sampleRate;
                    v = Math.sin(phase) * Math.exp(-t / 0.01);
                }
                default -> throw new IllegalStateException();
            }
            // A 20 ms fade-out, so the end of a sound is not a click of its own.
            double fade = Math.min(1.0, (n - 1 - i) / (0.02 * sampleRate));
            x[i] = (float) (v * fade);
        }
        return x;
    }

    static Rendering render(List<Hit> hits, double seconds, int sampleRate, double[] beats, long seed) {
        Random random = new Random(seed);
        float[] out = new float[(int) Math.round(seconds * sampleRate)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (1e-4 * random.nextGaussian());
        }
        for (Hit hit : hits) {
            float[] s = sound(hit.drum(), sampleRate, random);
            int start = (int) Math.round(hit.time() * sampleRate);
            for (int i = 0; i < s.length && start + i < out.length; i++) {
                out[start + i] += (float) (0.5 * hit.velocity() * s[i]);
            }
        }
        return new Rendering(out, sampleRate, hits, beats);
    }

    /** A click on every beat, accented on the downbeat. */
    static Rendering clickTrack(double bpm, double seconds, double start, int sampleRate) {
        return pattern(bpm, seconds, start, sampleRate, 1,
            (k, t, period, random, hits) -> hits.add(new Hit(t, Drum.CLICK, k % 4 == 0 ? 1.0 : 0.6)));
    }

    /** Adds the hits of beat {@code k} (at {@code t}, {@code period} seconds long) of a pattern. */
    private interface Beat {
        void add(int k, double t, double period, Random random, List<Hit> hits);
    }

    /** A pattern of beats at {@code bpm} from {@code start}; hits in the last 0.4 s are left out. */
    private static Rendering pattern(double bpm, double seconds, double start, int sampleRate, long seed, Beat beat) {
        Random random = new Random(seed);
        List<Hit> hits = new ArrayList<>();
        List<Double> beats = new ArrayList<>();
        double period = 60 / bpm;
        for (int k = 0; start + k * period < seconds - 0.4; k++) {
            double t = start + k * period;
            beats.add(t);
            beat.add(k, t, period, random, hits);
        }
        hits.removeIf(h -> h.time() >= seconds - 0.4);
        hits.sort((a, b) -> Double.compare(a.time(), b.time()));
        return render(hits, seconds, sampleRate, beats.stream().mapToDouble(Double::doubleValue).toArray(), seed);
    }

    /**
     * A rock beat: kick on 1 and 3 (and the "and" of 3 every other bar), snare on 2 and 4, closed hi-hat
     * on every eighth; velocities vary a little.
     */
    static Rendering rockBeat(double bpm, double seconds, double start, int sampleRate, long seed) {
        return pattern(bpm, seconds, start, sampleRate, seed, (k, t, period, random, hits) -> {
            int inBar = k % 4;
            hits.add(new Hit(t, Drum.HIHAT, 0.7 + 0.2 * random.nextDouble()));
            hits.add(new Hit(t, inBar % 2 == 0 ? Drum.KICK : Drum.SNARE, 0.8 + 0.2 * random.nextDouble()));
            double and = t + period / 2;
            hits.add(new Hit(and, Drum.HIHAT, 0.4 + 0.2 * random.nextDouble()));
            if (inBar == 2 && (k / 4) % 2 == 1) {
                hits.add(new Hit(and, Drum.KICK, 0.7));
            }
        });
    }

    /** Where the kick goes in {@link #sixteenthGroove}. */
    enum Kicks { ONE_AND_THREE, SYNCOPATED, EVERY_BEAT }

    /**
     * A slow groove: closed hi-hat on every sixteenth (accented on the beat, less on the eighth), snare
     * on 2 and 4, kick on 1 and 3, on 1 and the "ands" of 2 and 3, or on every beat.
     */
    static Rendering sixteenthGroove(double bpm, double seconds, double start, int sampleRate, Kicks kicks, long seed) {
        return pattern(bpm, seconds, start, sampleRate, seed, (k, t, period, random, hits) -> {
            int inBar = k % 4;
            for (int q = 0; q < 4; q++) {
                double accent = q == 0 ? 0.7 : q == 2 ? 0.55 : 0.4;
                hits.add(new Hit(t + q * period / 4, Drum.HIHAT, accent + 0.1 * random.nextDouble()));
            }
            if (inBar % 2 == 1) {
                hits.add(new Hit(t, Drum.SNARE, 0.8 + 0.2 * random.nextDouble()));
            }
            switch (kicks) {
                case ONE_AND_THREE -> {
                    if (inBar % 2 == 0) {
                        hits.add(new Hit(t, Drum.KICK, 0.9));
                    }
                }
                case SYNCOPATED -> {
                    if (inBar == 0) {
                        hits.add(new Hit(t, Drum.KICK, 0.9));
                    } else if (inBar != 3) {
                        hits.add(new Hit(t + period / 2, Drum.KICK, 0.75));
                    }
                }
                case EVERY_BEAT -> hits.add(new Hit(t, Drum.KICK, 0.9));
            }
        });
    }
}
