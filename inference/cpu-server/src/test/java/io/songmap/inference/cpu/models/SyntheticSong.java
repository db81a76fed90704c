package io.songmap.inference.cpu.models;

import java.util.SplittableRandom;

/**
 * A short synthetic song with its parts kept apart, for separation tests: a drum loop (kick, snare,
 * closed hi-hat), a bass line and a melody, 44.1 kHz stereo, every part centred except the hi-hat
 * (slightly right) and the melody (slightly left).
 */
final class SyntheticSong {

  static final double SR = 44_100;

  final float[][] drums;
  final float[][] bass;
  final float[][] melody;
  final float[][] mix;

  SyntheticSong(int samples, double bpm, long seed) {
    drums = new float[2][samples];
    bass = new float[2][samples];
    melody = new float[2][samples];
    SplittableRandom random = new SplittableRandom(seed);
    int eighth = (int) Math.round(SR * 30 / bpm);
    for (int step = 0; step * eighth < samples; step++) {
      int at = step * eighth;
      hihat(at, random);
      if (step % 8 == 0 || step % 8 == 5) {
        kick(at);
      }
      if (step % 8 == 2 || step % 8 == 6) {
        snare(at, random);
      }
      double[] roots = {41.2, 55.0, 49.0, 36.7};
      double root = roots[(step / 8) % roots.length];
      tone(bass, at, eighth - 400, root * (step % 8 == 5 ? 2 : 1), 6, 0.22, 0.0, 1.5, 0.5);
    }
    int[] scale = {0, 2, 4, 5, 7, 9, 11, 12};
    int quarter = 2 * eighth;
    for (int at = 0; at < samples; ) {
      int length = quarter * (1 + random.nextInt(2)) / (random.nextBoolean() ? 1 : 2);
      double hz = 392.0 * Math.pow(2, scale[random.nextInt(scale.length)] / 12.0);
      tone(melody, at, length - 300, hz, 5, 0.12, 5.5, 0.6, 0.42);
      at += length;
    }
    mix = new float[2][samples];
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < samples; i++) {
        mix[c][i] = drums[c][i] + bass[c][i] + melody[c][i];
      }
    }
  }

  private void kick(int at) {
    double phase = 0;
    for (int i = 0; i < (int) (0.35 * SR) && at + i < drums[0].length; i++) {
      double t = i / SR;
      phase += 2 * Math.PI * (50 + 90 * Math.exp(-t / 0.03)) / SR;
      double v = 0.8 * Math.exp(-t / 0.12) * Math.sin(phase);
      drums[0][at + i] += (float) v;
      drums[1][at + i] += (float) v;
    }
  }

  private void snare(int at, SplittableRandom random) {
    for (int i = 0; i < (int) (0.25 * SR) && at + i < drums[0].length; i++) {
      double t = i / SR;
      double v = 0.35 * Math.exp(-t / 0.05) * (random.nextDouble() * 2 - 1)
          + 0.25 * Math.exp(-t / 0.04) * Math.sin(2 * Math.PI * 185 * t);
      drums[0][at + i] += (float) v;
      drums[1][at + i] += (float) v;
    }
  }

  private void hihat(int at, SplittableRandom random) {
    double previous = 0;
    for (int i = 0; i < (int) (0.08 * SR) && at + i < drums[0].length; i++) {
      double noise = random.nextDouble() * 2 - 1;
      // first difference of white noise: a bright, hiss-like spectrum
      double v = 0.12 * Math.exp(-i / SR / 0.02) * (noise - previous);
      previous = noise;
      drums[0][at + i] += (float) (0.8 * v);
      drums[1][at + i] += (float) v;
    }
  }

  /** A note of {@code harmonics} partials with 1/h amplitudes, a short attack and a decay. */
  private static void tone(float[][] out, int at, int length, double hz, int harmonics, double amplitude,
      double vibratoHz, double decaySeconds, double leftShare) {
    for (int i = 0; i < length && at + i < out[0].length; i++) {
      double t = i / SR;
      double envelope = amplitude * Math.min(1, t / 0.01) * Math.exp(-t / decaySeconds) * Math.min(1, (length - i) / 400.0);
      double f = hz * (1 + 0.004 * Math.sin(2 * Math.PI * vibratoHz * t));
      double v = 0;
      for (int h = 1; h <= harmonics; h++) {
        v += Math.sin(2 * Math.PI * f * h * t) / h;
      }
      out[0][at + i] += (float) (2 * leftShare * envelope * v);
      out[1][at + i] += (float) (2 * (1 - leftShare) * envelope * v);
    }
  }

  /** Signal-to-distortion ratio of an estimate, both channels, in dB. */
  static double sdr(float[][] reference, float[][] estimate) {
    double signal = 0;
    double error = 0;
    for (int c = 0; c < reference.length; c++) {
      for (int i = 0; i < reference[c].length; i++) {
        signal += (double) reference[c][i] * reference[c][i];
        double d = reference[c][i] - estimate[c][i];
        error += d * d;
      }
    }
    return 10 * Math.log10(signal / error);
  }

  static float[][] sum(float[][] a, float[][] b) {
    float[][] out = new float[a.length][a[0].length];
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < a[c].length; i++) {
        out[c][i] = a[c][i] + b[c][i];
      }
    }
    return out;
  }
}
