package io.songmap.audio.drums;

import io.songmap.audio.songmap.DrumInstrument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * A second look at each drum onset in two bands, after the drum CNN. The AnNOTEator input stops at
 * 8 kHz, and on kits it was not trained on its hi-hat output stays low whenever a kick or snare
 * sounds at the same time: the hi-hat is reported only when it plays alone. Its kick output, in
 * turn, fires on some hi-hats alone and stays low on some kicks it hears as a snare.
 * <ul>
 *   <li>The <b>high band</b>, {@value #HIGH_FROM_HZ}–{@value #HIGH_TO_HZ} Hz, holds most of a hi-hat's
 *       energy, and almost none of a kick's or a tom's.
 *   <li>The <b>low band</b>, {@value #LOW_FROM_HZ}–{@value #LOW_TO_HZ} Hz, holds a kick's thump, and
 *       little of a snare or a hi-hat.
 * </ul>
 * Both are measured in a {@value #FRAME}-sample frame that starts {@value #LEAD} samples before the
 * onset (and the high band also in the frame before it, and as its lowest level in the frames that start
 * {@value #RING_FROM_SECONDS} to {@value #RING_TO_SECONDS} s after the onset: how it still rings).
 *
 * <p>The check calibrates itself on each song, so it follows the kit, the mix and the stem's level:
 * <ul>
 *   <li>the <em>hi-hat reference</em> is the median high-band level of the onsets the CNN reports as
 *       a hi-hat alone; an onset is <em>bright</em> when its high band is at least that minus {@value
 *       #BRIGHT_MARGIN_DB} dB and rose by at least {@value #RISE_DB} dB from the frame before (a
 *       cymbal still ringing from an earlier hit is not a new one);
 *   <li>the <em>kick reference</em> is the upper quartile of the low-band levels at the onsets the CNN
 *       reports with a kick; an onset is <em>deep</em> when its low band is at least that minus {@value
 *       #DEEP_MARGIN_DB} dB, and <em>shallow</em> when it is more than {@value #SHALLOW_MARGIN_DB} dB
 *       below it.
 * </ul>
 * Each reference needs {@value #MIN_REFERENCE} onsets; without one, the rules that use it are off.
 * Then, per onset, in this order:
 * <ol>
 *   <li>a bright onset the CNN calls a tom, without a kick or snare, is taken for a kick or snare
 *       struck with a hi-hat (a combination the CNN tends to hear as a tom): the tom becomes whichever
 *       of kick and snare the CNN scored higher;
 *   <li>a kick at a shallow onset is dropped when something else explains the onset (the onset is
 *       bright, or the CNN heard another piece there);
 *   <li>a deep onset with a snare and no kick gets a kick;
 *   <li>a bright onset that rose by at least {@value #CRASH_RISE_DB} dB (a fresh strike) and whose high
 *       band still rings at the bright level {@value #RING_FROM_SECONDS}–{@value #RING_TO_SECONDS} s later
 *       has a crash, not a hi-hat: a hi-hat, even open, has died away by then (by 17 dB or more on the
 *       songs this was measured on, a ride by 15 dB or more), a crash cymbal rings for seconds. The CNN
 *       never reports a crash on such kits: it hears the kick or snare struck with it, and a hi-hat;
 *   <li>any other bright onset with a kick, snare or tom and no hi-hat, or with nothing left, gets a hi-hat.
 * </ol>
 * Everything else keeps the CNN's reading; no onset loses every piece.
 */
public final class BandCheck {

  public static final double HIGH_FROM_HZ = 9_000;
  public static final double HIGH_TO_HZ = 14_000;
  public static final double LOW_FROM_HZ = 20;
  public static final double LOW_TO_HZ = 120;
  public static final int FRAME = 2_048;
  public static final int LEAD = 256;
  public static final double BRIGHT_MARGIN_DB = 6;
  public static final double RISE_DB = 3;
  public static final double DEEP_MARGIN_DB = 6;
  public static final double SHALLOW_MARGIN_DB = 10;
  /** The kick reference's percentile of the low-band levels at the CNN's kicks. */
  public static final double KICK_PERCENTILE = 75;
  public static final int MIN_REFERENCE = 4;
  public static final double CRASH_RISE_DB = 6;
  public static final double RING_FROM_SECONDS = 0.1;
  public static final double RING_TO_SECONDS = 0.35;
  private static final double RING_STEP_SECONDS = 0.05;

  private static final double FLOOR = 1e-12;
  private static final double[] WINDOW = AnnoteatorFeature.periodicHann(FRAME);
  /** A plan per worker thread: each onset needs eight spectra. */
  private static final ThreadLocal<DoubleFFT_1D> FFT = ThreadLocal.withInitial(() -> new DoubleFFT_1D(FRAME));

  private BandCheck() {}

  /**
   * The band levels in dB at an onset: high band, high band in the frame before, low band, and the
   * lowest high-band level of the frames {@value #RING_FROM_SECONDS}–{@value #RING_TO_SECONDS} s later.
   */
  public record Level(double high, double highBefore, double low, double highRinging) {

    public double rise() {
      return high - highBefore;
    }
  }

  /** The hits per onset and what the check changed; a reference is NaN when the song had none. */
  public record Outcome(List<List<DrumInstrument>> hits, int hiHatsAdded, int tomsReassigned, int kicksDropped,
      int kicksAdded, int crashesFound, double hiHatReferenceDb, double kickReferenceDb) {

    /** What the check did, in words. */
    public String summary() {
      if (Double.isNaN(hiHatReferenceDb) && Double.isNaN(kickReferenceDb)) {
        return "no reference (fewer than " + MIN_REFERENCE + " hi-hats alone and kicks)";
      }
      return "added " + hiHatsAdded + " hi-hats and " + kicksAdded + " kicks, dropped " + kicksDropped
          + " kicks, took " + tomsReassigned + " toms for kick or snare, found " + crashesFound + " crashes"
          + (Double.isNaN(hiHatReferenceDb) ? " (no hi-hat reference)" : "")
          + (Double.isNaN(kickReferenceDb) ? " (no kick reference)" : "");
    }
  }

  /** Whether a signal at {@code sampleRate} can hold the high band. */
  public static boolean applies(int sampleRate) {
    return sampleRate >= 2 * HIGH_TO_HZ;
  }

  /** The band levels of {@code mono} around the onset at {@code onsetSample}. */
  public static Level level(float[] mono, int sampleRate, int onsetSample) {
    int start = onsetSample - LEAD;
    double[] at = power(mono, start);
    double[] before = power(mono, start - FRAME);
    double ringing = Double.POSITIVE_INFINITY;
    for (double t = RING_FROM_SECONDS; t <= RING_TO_SECONDS + 1e-9; t += RING_STEP_SECONDS) {
      ringing = Math.min(ringing, bandDb(power(mono, onsetSample + (int) Math.round(t * sampleRate)), sampleRate,
          HIGH_FROM_HZ, HIGH_TO_HZ));
    }
    return new Level(bandDb(at, sampleRate, HIGH_FROM_HZ, HIGH_TO_HZ), bandDb(before, sampleRate, HIGH_FROM_HZ, HIGH_TO_HZ),
        bandDb(at, sampleRate, LOW_FROM_HZ, LOW_TO_HZ), ringing);
  }

  /**
   * The CNN's reading of every onset of one song (six scores per onset, {@link DrumCnnOutput} order,
   * onset {@code i} at {@code scores[i * 6]}) decoded as the reference does, then checked against the
   * band levels, one per onset.
   */
  public static Outcome refine(float[] scores, List<Level> levels) {
    int n = levels.size();
    if (scores.length != n * DrumCnnOutput.CLASSES) {
      throw new IllegalArgumentException(scores.length + " scores for " + n + " onsets");
    }
    List<List<DrumInstrument>> decoded = new ArrayList<>(n);
    double[] hiHats = new double[n];
    double[] kicks = new double[n];
    int hiHatCount = 0;
    int kickCount = 0;
    for (int i = 0; i < n; i++) {
      List<DrumInstrument> hit = DrumCnnOutput.decode(scores, i * DrumCnnOutput.CLASSES);
      decoded.add(hit);
      if (hit.equals(List.of(DrumInstrument.HIHAT))) {
        hiHats[hiHatCount++] = levels.get(i).high();
      }
      if (hit.contains(DrumInstrument.KICK)) {
        kicks[kickCount++] = levels.get(i).low();
      }
    }
    double hiHatReference = hiHatCount >= MIN_REFERENCE ? percentile(Arrays.copyOf(hiHats, hiHatCount), 50) : Double.NaN;
    double kickReference = kickCount >= MIN_REFERENCE
        ? percentile(Arrays.copyOf(kicks, kickCount), KICK_PERCENTILE) : Double.NaN;
    int hiHatsAdded = 0;
    int tomsReassigned = 0;
    int kicksDropped = 0;
    int kicksAdded = 0;
    int crashesFound = 0;
    List<List<DrumInstrument>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Level level = levels.get(i);
      boolean bright = level.high() >= hiHatReference - BRIGHT_MARGIN_DB && level.rise() >= RISE_DB;
      boolean deep = level.low() >= kickReference - DEEP_MARGIN_DB;
      boolean shallow = level.low() < kickReference - SHALLOW_MARGIN_DB;
      Set<DrumInstrument> set = EnumSet.noneOf(DrumInstrument.class);
      set.addAll(decoded.get(i));
      if (bright && set.contains(DrumInstrument.TOM) && !set.contains(DrumInstrument.KICK)
          && !set.contains(DrumInstrument.SNARE)) {
        set.remove(DrumInstrument.TOM);
        set.add(score(scores, i, DrumInstrument.KICK) > score(scores, i, DrumInstrument.SNARE)
            ? DrumInstrument.KICK : DrumInstrument.SNARE);
        tomsReassigned++;
      }
      if (shallow && set.contains(DrumInstrument.KICK) && (bright || set.size() > 1)) {
        set.remove(DrumInstrument.KICK);
        kicksDropped++;
      }
      if (deep && set.contains(DrumInstrument.SNARE) && !set.contains(DrumInstrument.KICK)) {
        set.add(DrumInstrument.KICK);
        kicksAdded++;
      }
      boolean crash = bright && level.rise() >= CRASH_RISE_DB
          && level.highRinging() >= hiHatReference - BRIGHT_MARGIN_DB;
      if (crash) {
        set.remove(DrumInstrument.HIHAT);
        set.add(DrumInstrument.CRASH);
        crashesFound++;
      } else if (bright && !set.contains(DrumInstrument.HIHAT) && (set.isEmpty() || set.contains(DrumInstrument.KICK)
          || set.contains(DrumInstrument.SNARE) || set.contains(DrumInstrument.TOM))) {
        set.add(DrumInstrument.HIHAT);
        hiHatsAdded++;
      }
      out.add(inModelOrder(set));
    }
    return new Outcome(List.copyOf(out), hiHatsAdded, tomsReassigned, kicksDropped, kicksAdded, crashesFound,
        hiHatReference, kickReference);
  }

  private static float score(float[] scores, int onset, DrumInstrument instrument) {
    return scores[onset * DrumCnnOutput.CLASSES + DrumCnnOutput.ORDER.indexOf(instrument)];
  }

  private static List<DrumInstrument> inModelOrder(Set<DrumInstrument> set) {
    List<DrumInstrument> ordered = new ArrayList<>(set.size());
    for (DrumInstrument instrument : DrumCnnOutput.ORDER) {
      if (set.contains(instrument)) {
        ordered.add(instrument);
      }
    }
    return List.copyOf(ordered);
  }

  /** The power spectrum of the Hann-windowed frame starting at {@code start}, zero outside the signal. */
  private static double[] power(float[] mono, int start) {
    double[] frame = new double[FRAME];
    for (int i = Math.max(0, -start); i < FRAME && start + i < mono.length; i++) {
      frame[i] = mono[start + i] * WINDOW[i];
    }
    FFT.get().realForward(frame);
    double[] power = new double[FRAME / 2];
    // JTransforms packs [Re0, Re(n/2), Re1, Im1, ...]
    power[0] = frame[0] * frame[0];
    for (int k = 1; k < FRAME / 2; k++) {
      power[k] = frame[2 * k] * frame[2 * k] + frame[2 * k + 1] * frame[2 * k + 1];
    }
    return power;
  }

  /** The summed power of the bins in {@code [fromHz, toHz)}, in dB. */
  static double bandDb(double[] power, int sampleRate, double fromHz, double toHz) {
    double binHz = (double) sampleRate / FRAME;
    int from = Math.max(0, (int) Math.ceil(fromHz / binHz));
    int to = Math.min(power.length - 1, (int) Math.ceil(toHz / binHz) - 1);
    double sum = 0;
    for (int k = from; k <= to; k++) {
      sum += power[k];
    }
    return 10 * Math.log10(sum + FLOOR);
  }

  /** The {@code p}th percentile with linear interpolation between the closest ranks. */
  static double percentile(double[] values, double p) {
    Arrays.sort(values);
    double rank = p / 100 * (values.length - 1);
    int below = (int) Math.floor(rank);
    int above = Math.min(values.length - 1, below + 1);
    return values[below] + (rank - below) * (values[above] - values[below]);
  }
}
