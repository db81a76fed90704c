package io.songmap.audio.notes;

import io.songmap.audio.dsp.Stft;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jtransforms.fft.FloatFFT_1D;

/**
 * Moves bass notes heard an octave too high down to where their harmonic series says they are. On the
 * lowest strings the fundamental is weak and the second harmonic carries the note, so a transcriber
 * may name the pitch an octave up. The spectrum tells the two apart: a note at frequency {@code f}
 * has partials at {@code f, 2f, 3f}, while the note an octave lower also has its odd partials, which
 * fall at {@code f/2, 3f/2, 5f/2}. A note whose odd-partial peaks reach {@value #ODD_EVEN_RATIO} of
 * its even ones is moved down an octave (not below MIDI {@value #LOWEST_MIDI}, the 5-string bass's
 * low B).
 *
 * <p>Each note is measured over about 0.19 s of the stem (a Hann window of a power of two of samples,
 * zero-padded four times) from {@value #DELAY_SECONDS} s after its start, past the pluck. Peaks are
 * the largest magnitude within {@value #BAND_RELATIVE} (relative) of each partial's frequency.
 * Not thread-safe: make one per thread.
 */
public final class LowerOctaves {

  public static final double ODD_EVEN_RATIO = 0.4;
  public static final int LOWEST_MIDI = 23;
  public static final double DELAY_SECONDS = 0.02;
  public static final double BAND_RELATIVE = 0.03;
  private static final int ZERO_PADDING = 4;
  private static final double[] EVEN = {1, 2, 3};
  private static final double[] ODD = {0.5, 1.5, 2.5};

  private final int sampleRate;
  private final int window;
  private final float[] hann;
  private final FloatFFT_1D fft;
  private final float[] buffer;
  private final double binHz;

  /** For a signal at {@code sampleRate}: the window is the power of two at or below 0.2 s. */
  public LowerOctaves(int sampleRate) {
    if (sampleRate < 8000) {
      throw new IllegalArgumentException("sample rate too low for bass partials: " + sampleRate);
    }
    this.sampleRate = sampleRate;
    this.window = Integer.highestOneBit((int) Math.round(0.2 * sampleRate));
    this.hann = Stft.hann(window);
    this.fft = new FloatFFT_1D((long) window * ZERO_PADDING);
    this.buffer = new float[window * ZERO_PADDING];
    this.binHz = (double) sampleRate / buffer.length;
  }

  /** The line with its octave-high notes moved down; {@code mono} is the bass stem at this rate. */
  public Result correct(List<Note> line, float[] mono) {
    List<Note> out = new ArrayList<>(line.size());
    int lowered = 0;
    for (Note note : line) {
      if (note.midi() - 12 >= LOWEST_MIDI && oddToEven(mono, note.start() + DELAY_SECONDS, note.midi()) >= ODD_EVEN_RATIO) {
        out.add(new Note(note.start(), note.end(), note.midi() - 12, note.velocity()));
        lowered++;
      } else {
        out.add(note);
      }
    }
    return new Result(List.copyOf(out), lowered);
  }

  /** The corrected line and how many notes moved down. */
  public record Result(List<Note> notes, int lowered) {}

  /**
   * Sum of the odd-partial peaks over the sum of the even-partial peaks, for a note of pitch
   * {@code midi} measured from {@code fromSeconds}; 0 where the window holds no energy at the partials.
   */
  public double oddToEven(float[] mono, double fromSeconds, int midi) {
    int from = (int) Math.round(fromSeconds * sampleRate);
    Arrays.fill(buffer, 0f);
    for (int i = 0; i < window; i++) {
      int at = from + i;
      if (at >= 0 && at < mono.length) {
        buffer[i] = mono[at] * hann[i];
      }
    }
    fft.realForward(buffer);
    double f0 = 440 * Math.pow(2, (midi - 69) / 12.0);
    double even = 0;
    double odd = 0;
    for (int k = 0; k < EVEN.length; k++) {
      even += peak(f0 * EVEN[k]);
      odd += peak(f0 * ODD[k]);
    }
    return even > 0 ? odd / even : 0;
  }

  /** The largest magnitude within the band around {@code hz} (at least the nearest bin). */
  private double peak(double hz) {
    int half = buffer.length / 2;
    int nearest = (int) Math.round(hz / binHz);
    int lo = Math.max(1, Math.min(nearest, (int) Math.ceil(hz * (1 - BAND_RELATIVE) / binHz)));
    int hi = Math.min(half - 1, Math.max(nearest, (int) Math.floor(hz * (1 + BAND_RELATIVE) / binHz)));
    double best = 0;
    for (int b = lo; b <= hi; b++) {
      double re = buffer[2 * b];
      double im = buffer[2 * b + 1];
      best = Math.max(best, Math.sqrt(re * re + im * im));
    }
    return best;
  }
}
