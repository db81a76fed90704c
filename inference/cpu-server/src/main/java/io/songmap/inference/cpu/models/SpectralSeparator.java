package io.songmap.inference.cpu.models;

import java.util.Arrays;
import org.jtransforms.fft.FloatFFT_1D;

/**
 * A classical four-stem separator: the CPU stand-in for HT-Demucs. On the short-time spectrum of the
 * stereo mix it builds soft masks:
 * <ul>
 *   <li><b>drums</b>: harmonic/percussive separation by median filtering (Fitzgerald 2010): a bin
 *       that stands out from its neighbours across frequency (a broadband attack) more than from its
 *       neighbours in time (a sustained partial) is percussive; Wiener-style masks of order 2.
 *       Below the bass cut-off the harmonic part is judged over a longer time window (about 0.5 s),
 *       and below {@code kickBandHz} the percussive part is what rises above that long-term level:
 *       there a bass note's partials lie so close together that the median across frequency would
 *       rate them as broadband as a kick's thump;
 *   <li><b>bass</b>: the harmonic part below a cut-off (full up to {@code bassLowHz}, fading out by
 *       {@code bassHighHz});
 *   <li><b>vocals</b>: the harmonic part above the bass band, in the voice band, weighted by how
 *       centred the bin is in the stereo image (the inter-channel similarity of Avendano and Jot,
 *       {@code 2|L R*| / (|L|^2 + |R|^2)}, which is 1 only for a source equally loud in both channels);
 *   <li><b>other</b>: the residual, mix minus the three others, in the time domain, so the four stems
 *       sum back to the mix exactly (up to float rounding).
 * </ul>
 * A mono mix (everything centred) leaves the harmonic mid and high band in vocals: without a
 * learned model, vocals and other are told apart only by their place in the stereo image.
 */
public final class SpectralSeparator {

  public static final int DRUMS = 0;
  public static final int BASS = 1;
  public static final int OTHER = 2;
  public static final int VOCALS = 3;

  /** Tuning, see the class comment; frequencies in Hz, kernels in frames/bins (odd). */
  public record Settings(int fftSize, int hop, int timeKernel, int lowTimeKernel, int freqKernel, double maskPower,
      double kickBandHz, double bassLowHz, double bassHighHz, double vocalLowHz, double vocalHighHz,
      double centreExponent) {
    public Settings {
      if (Integer.bitCount(fftSize) != 1 || hop <= 0 || fftSize % hop != 0 || fftSize / hop < 2) {
        throw new IllegalArgumentException("need a power-of-two FFT size that the hop divides at least twice");
      }
      if (timeKernel % 2 == 0 || lowTimeKernel % 2 == 0 || freqKernel % 2 == 0) {
        throw new IllegalArgumentException("median kernels must be odd");
      }
      if (!(bassLowHz < bassHighHz) || !(vocalLowHz < vocalHighHz)) {
        throw new IllegalArgumentException("band edges out of order");
      }
    }

    public static Settings defaults() {
      // The kick band stops at 200 Hz: a kick's thump lies below it. Above it, the partials of a low
      // lead rise above their half-second level at every new note and were taken for drums (up to 250
      // Hz, two songs in ten of seeds 21-30 had drum stems below 0 dB SDR); 120-150 Hz lost more snare.
      return new Settings(4096, 512, 17, 41, 17, 2.0, 200, 200, 400, 120, 9000, 4.0);
    }
  }

  private final Settings settings;
  private final float[] window;
  private final FloatFFT_1D fft;

  public SpectralSeparator() {
    this(Settings.defaults());
  }

  public SpectralSeparator(Settings settings) {
    this.settings = settings;
    this.fft = new FloatFFT_1D(settings.fftSize());
    this.window = new float[settings.fftSize()];
    for (int i = 0; i < window.length; i++) {
      window[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / window.length));
    }
  }

  /**
   * Separates one stereo excerpt.
   *
   * @param left left channel, {@code n} samples at {@code sampleRate}
   * @param right right channel, same length
   * @return stems[stem][channel][sample] in the order drums, bass, other, vocals
   */
  public float[][][] separate(float[] left, float[] right, double sampleRate) {
    if (right.length != left.length) {
      throw new IllegalArgumentException("channels differ in length");
    }
    Spectrum l = analyse(left);
    Spectrum r = analyse(right);
    return apply(masks(l, r, sampleRate), l, r, left, right);
  }

  /**
   * The masks estimated on one mix applied to another signal of the same length (for example one
   * source of that mix, to see where each source goes); stems as {@link #separate}.
   */
  float[][][] separateWithMasksOf(float[] mixLeft, float[] mixRight, float[] left, float[] right, double sampleRate) {
    float[][] masks = masks(analyse(mixLeft), analyse(mixRight), sampleRate);
    return apply(masks, analyse(left), analyse(right), left, right);
  }

  /** Soft masks [drums, bass, vocals][bin * frames + frame]. */
  private float[][] masks(Spectrum l, Spectrum r, double sampleRate) {
    int size = settings.fftSize();
    int bins = size / 2 + 1;
    int frames = l.frames;

    // Magnitude of the mid (power average of both channels), laid out [bin][frame] for the filters.
    float[] mag = new float[bins * frames];
    float[] centre = new float[bins * frames];
    for (int t = 0; t < frames; t++) {
      for (int k = 0; k < bins; k++) {
        float lr = l.re(t, k);
        float li = l.im(t, k);
        float rr = r.re(t, k);
        float ri = r.im(t, k);
        float pl = lr * lr + li * li;
        float pr = rr * rr + ri * ri;
        mag[k * frames + t] = (float) Math.sqrt(0.5 * (pl + pr));
        // |L R*| = |L||R|
        double cross = Math.sqrt((double) pl * pr);
        centre[k * frames + t] = pl + pr > 0 ? (float) (2 * cross / (pl + pr)) : 0f;
      }
    }

    double binHz = sampleRate / size;
    int lowBins = Math.min(bins, (int) Math.ceil(settings.bassHighHz() / binHz) + 1);
    float[] harmonic = new float[bins * frames];
    MedianFilter.alongRows(mag, bins, frames, settings.timeKernel(), harmonic, lowBins, bins);
    MedianFilter.alongRows(mag, bins, frames, settings.lowTimeKernel(), harmonic, 0, lowBins);
    float[] percussive = new float[bins * frames];
    MedianFilter.alongColumns(mag, bins, frames, settings.freqKernel(), percussive);
    // Below the kick band edge a bass note's partials are a few bins apart, so the median across
    // frequency rates them as broadband as a kick; there, what rises above the long-term level is
    // percussive instead.
    int kickBins = Math.min(lowBins, (int) Math.ceil(settings.kickBandHz() / binHz) + 1);
    for (int i = 0; i < kickBins * frames; i++) {
      percussive[i] = Math.max(0f, mag[i] - harmonic[i]);
    }


    float[] drums = new float[bins * frames];
    float[] bass = new float[bins * frames];
    float[] vocals = new float[bins * frames];
    double p = settings.maskPower();
    for (int k = 0; k < bins; k++) {
      double f = k * binHz;
      double low = band(f, settings.bassLowHz(), settings.bassHighHz());
      double voiceBand = f < settings.vocalLowHz() || f > settings.vocalHighHz() ? 0 : 1;
      for (int t = 0; t < frames; t++) {
        int i = k * frames + t;
        double h = Math.pow(harmonic[i], p);
        double q = Math.pow(percussive[i], p);
        double sum = h + q;
        double mp = sum > 1e-30 ? q / sum : 0;
        double mh = sum > 1e-30 ? h / sum : 0;
        drums[i] = (float) mp;
        bass[i] = (float) (mh * low);
        vocals[i] = (float) (mh * (1 - low) * voiceBand * Math.pow(centre[i], settings.centreExponent()));
      }
    }
    return new float[][] {drums, bass, vocals};
  }

  private float[][][] apply(float[][] masks, Spectrum l, Spectrum r, float[] left, float[] right) {
    int n = left.length;
    float[][][] stems = new float[4][2][];
    Spectrum[] channels = {l, r};
    float[][] mix = {left, right};
    for (int c = 0; c < 2; c++) {
      stems[DRUMS][c] = synthesise(channels[c], masks[0], n);
      stems[BASS][c] = synthesise(channels[c], masks[1], n);
      stems[VOCALS][c] = synthesise(channels[c], masks[2], n);
      float[] other = new float[n];
      for (int i = 0; i < n; i++) {
        other[i] = mix[c][i] - stems[DRUMS][c][i] - stems[BASS][c][i] - stems[VOCALS][c][i];
      }
      stems[OTHER][c] = other;
    }
    return stems;
  }

  /** 1 below {@code lo}, 0 above {@code hi}, a raised-cosine fade between. */
  static double band(double f, double lo, double hi) {
    if (f <= lo) {
      return 1;
    }
    if (f >= hi) {
      return 0;
    }
    return 0.5 + 0.5 * Math.cos(Math.PI * (f - lo) / (hi - lo));
  }

  /** Short-time spectrum, frames centred on multiples of the hop (signal zero-padded by half a frame). */
  private Spectrum analyse(float[] x) {
    int size = settings.fftSize();
    int hop = settings.hop();
    int pad = size / 2;
    int frames = 1 + (x.length + 2 * pad - size + hop - 1) / hop;
    float[] data = new float[frames * size];
    float[] frame = new float[size];
    for (int t = 0; t < frames; t++) {
      int start = t * hop - pad;
      Arrays.fill(frame, 0f);
      int from = Math.max(0, -start);
      int to = Math.min(size, x.length - start);
      for (int i = from; i < to; i++) {
        frame[i] = x[start + i] * window[i];
      }
      fft.realForward(frame);
      System.arraycopy(frame, 0, data, t * size, size);
    }
    return new Spectrum(data, frames, size);
  }

  /** Masked inverse: weighted overlap-add with the analysis window, normalised by the summed squares. */
  private float[] synthesise(Spectrum s, float[] mask, int n) {
    int size = settings.fftSize();
    int hop = settings.hop();
    int pad = size / 2;
    int bins = size / 2 + 1;
    int frames = s.frames;
    float[] out = new float[n];
    float[] norm = new float[n];
    float[] frame = new float[size];
    for (int t = 0; t < frames; t++) {
      int base = t * size;
      // JTransforms real layout: [Re0, Re(n/2), Re1, Im1, Re2, Im2, ...]
      frame[0] = s.data[base] * mask[t];
      frame[1] = s.data[base + 1] * mask[(bins - 1) * frames + t];
      for (int k = 1; k < bins - 1; k++) {
        float m = mask[k * frames + t];
        frame[2 * k] = s.data[base + 2 * k] * m;
        frame[2 * k + 1] = s.data[base + 2 * k + 1] * m;
      }
      fft.realInverse(frame, true);
      int start = t * hop - pad;
      int from = Math.max(0, -start);
      int to = Math.min(size, n - start);
      for (int i = from; i < to; i++) {
        out[start + i] += frame[i] * window[i];
        norm[start + i] += window[i] * window[i];
      }
    }
    for (int i = 0; i < n; i++) {
      out[i] = norm[i] > 1e-8f ? out[i] / norm[i] : 0f;
    }
    return out;
  }

  /** Packed real spectra of all frames, JTransforms layout, frame-major. */
  private record Spectrum(float[] data, int frames, int size) {
    float re(int t, int k) {
      if (k == 0) {
        return data[t * size];
      }
      if (k == size / 2) {
        return data[t * size + 1];
      }
      return data[t * size + 2 * k];
    }

    float im(int t, int k) {
      return k == 0 || k == size / 2 ? 0f : data[t * size + 2 * k + 1];
    }
  }
}
