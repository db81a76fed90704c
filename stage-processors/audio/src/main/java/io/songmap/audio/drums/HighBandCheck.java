package io.songmap.audio.drums;

import io.songmap.audio.songmap.DrumInstrument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * A second look at each drum onset, in the band the drum CNN never sees. The AnNOTEator input stops at
 * 8 kHz, and on kits it was not trained on its hi-hat output stays low whenever a kick or snare sounds
 * at the same time: the hi-hat is reported only when it plays alone. A hi-hat's energy lies mostly
 * above 8 kHz, where a kick has almost none and a tom little, so the level of {@value #LOW_HZ}–{@value
 * #HIGH_HZ} Hz at an onset says whether a hi-hat (or another cymbal) sounded there.
 *
 * <p>The check calibrates itself on each song: its reference is the median band level of the onsets
 * the CNN reports as a hi-hat alone, so it follows the kit, the mix and the stem's level. An onset is
 * <em>bright</em> when its band level is at least the reference minus {@value #MARGIN_DB} dB and rose
 * by at least {@value #RISE_DB} dB from the frame before (a cymbal still ringing from an earlier hit is
 * not a new one). Then:
 * <ol>
 *   <li>a bright onset the CNN calls a tom, without a kick or snare, is taken for a kick or snare
 *       struck with a hi-hat (a combination the CNN tends to hear as a tom): the tom becomes whichever
 *       of kick and snare the CNN scored higher;
 *   <li>a bright onset with a kick, snare or tom and no hi-hat gets a hi-hat.
 * </ol>
 * Onsets that are not bright keep the CNN's reading, and so does a whole song with fewer than {@value
 * #MIN_REFERENCE} hi-hat-alone onsets (no reference) or a stem sampled too low to hold the band.
 */
public final class HighBandCheck {

  public static final double LOW_HZ = 9_000;
  public static final double HIGH_HZ = 14_000;
  /** Samples per analysis frame; the frame at an onset starts {@value #LEAD} samples before it. */
  public static final int FRAME = 2_048;
  public static final int LEAD = 256;
  public static final double MARGIN_DB = 6;
  public static final double RISE_DB = 3;
  public static final int MIN_REFERENCE = 4;

  private static final double FLOOR = 1e-12;
  private static final double[] WINDOW = hann(FRAME);

  private HighBandCheck() {}

  /** The band level in dB at an onset and in the frame just before it. */
  public record Level(double at, double before) {

    public double rise() {
      return at - before;
    }
  }

  /** What the check changed in one song. */
  public record Outcome(List<List<DrumInstrument>> hits, int hiHatsAdded, int tomsReassigned, double referenceDb) {

    /** Whether the song had a reference at all. */
    public boolean calibrated() {
      return !Double.isNaN(referenceDb);
    }
  }

  /** Whether a signal at {@code sampleRate} can hold the band. */
  public static boolean applies(int sampleRate) {
    return sampleRate >= 2 * HIGH_HZ;
  }

  /** The band level of {@code mono} around the onset at {@code onsetSample}. */
  public static Level level(float[] mono, int sampleRate, int onsetSample) {
    int start = onsetSample - LEAD;
    return new Level(bandDb(mono, sampleRate, start), bandDb(mono, sampleRate, start - FRAME));
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
    double[] alone = new double[n];
    int references = 0;
    for (int i = 0; i < n; i++) {
      List<DrumInstrument> hit = DrumCnnOutput.decode(scores, i * DrumCnnOutput.CLASSES);
      decoded.add(hit);
      if (hit.equals(List.of(DrumInstrument.HIHAT))) {
        alone[references++] = levels.get(i).at();
      }
    }
    if (references < MIN_REFERENCE) {
      return new Outcome(List.copyOf(decoded), 0, 0, Double.NaN);
    }
    double reference = median(Arrays.copyOf(alone, references));
    int added = 0;
    int reassigned = 0;
    List<List<DrumInstrument>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Level level = levels.get(i);
      List<DrumInstrument> hit = decoded.get(i);
      if (!(level.at() >= reference - MARGIN_DB && level.rise() >= RISE_DB)) {
        out.add(hit);
        continue;
      }
      Set<DrumInstrument> set = EnumSet.noneOf(DrumInstrument.class);
      set.addAll(hit);
      if (set.contains(DrumInstrument.TOM) && !set.contains(DrumInstrument.KICK) && !set.contains(DrumInstrument.SNARE)) {
        set.remove(DrumInstrument.TOM);
        set.add(score(scores, i, DrumInstrument.KICK) > score(scores, i, DrumInstrument.SNARE)
            ? DrumInstrument.KICK : DrumInstrument.SNARE);
        reassigned++;
      }
      if (!set.contains(DrumInstrument.HIHAT) && (set.contains(DrumInstrument.KICK)
          || set.contains(DrumInstrument.SNARE) || set.contains(DrumInstrument.TOM))) {
        set.add(DrumInstrument.HIHAT);
        added++;
      }
      out.add(inModelOrder(set));
    }
    return new Outcome(List.copyOf(out), added, reassigned, reference);
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

  /** Power of the band in the Hann-windowed frame starting at {@code start}, zero outside the signal, in dB. */
  static double bandDb(float[] mono, int sampleRate, int start) {
    double[] frame = new double[FRAME];
    for (int i = Math.max(0, -start); i < FRAME && start + i < mono.length; i++) {
      frame[i] = mono[start + i] * WINDOW[i];
    }
    new DoubleFFT_1D(FRAME).realForward(frame);
    double binHz = (double) sampleRate / FRAME;
    int from = (int) Math.ceil(LOW_HZ / binHz);
    int to = Math.min(FRAME / 2 - 1, (int) Math.ceil(HIGH_HZ / binHz) - 1);
    double power = 0;
    for (int k = Math.max(1, from); k <= to; k++) {
      // JTransforms packs [Re0, Re(n/2), Re1, Im1, ...]
      double re = frame[2 * k];
      double im = frame[2 * k + 1];
      power += re * re + im * im;
    }
    return 10 * Math.log10(power + FLOOR);
  }

  private static double median(double[] values) {
    Arrays.sort(values);
    int m = values.length / 2;
    return values.length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
  }

  private static double[] hann(int n) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
    }
    return w;
  }
}
