package io.songmap.audio.drums;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The input of the AnNOTEator drum CNN ({@code drum_cnn}) for one onset of a mono drum stem, built as
 * the model's reference pipeline does (AnNOTEator, librosa 0.8.0):
 * <ol>
 *   <li>the clip from {@code onset - padding} to {@code onset + window}, with {@code padding} a
 *       quarter of a 32nd note ({@code (60/bpm/8)/2/2} s) and {@code window} a 16th note
 *       ({@code 60/bpm/4} s), both truncated to whole samples like {@code librosa.time_to_samples};
 *   <li>resampled to exactly {@value #CLIP_SAMPLES} samples (band-limited, see {@link SincResampler}).
 *       Like the reference, which calls {@code librosa.resample(clip, sr, int(sr * 8820 / len))},
 *       the clip then carries the <em>clip rate</em> {@code int(sr * 8820 / len)}: 44,100 for a clip
 *       of 8,820 samples at 44.1 kHz (a 16th note plus padding at about 84 BPM), more for faster
 *       tempi;
 *   <li>compressed at the clip rate: threshold -27 dB, ratio 4:1, attack 1 ms, release 200 ms;
 *   <li>{@code librosa.feature.melspectrogram(y=clip, sr=clip rate, n_mels=128, fmax=8000)}, i.e.
 *       n_fft 2048, hop 512, periodic Hann window of 2048, {@code center=True} with reflect padding of
 *       1024 samples each side (librosa 0.8's default; 0.9 changed it to zeros), power 2 (no log), Slaney
 *       mel filters from 0 Hz to 8 kHz with Slaney area normalisation: 128 bands x 18 frames.
 * </ol>
 * The model card summarises step 4 with {@code sr=44100}; the reference code passes the clip rate
 * from step 2, so the filters stay on the real frequencies of the stretched clip. On FluidSynth
 * hits the clip rate is what makes hi-hats come out as HH (with 44,100 they drift to TT and RC).
 *
 * <p>The result is laid out as the model input [128, 18, 1]: {@code feature[band * 18 + frame]}.
 *
 * <p>Where the reference is undefined we choose: a clip that would start before the track starts
 * at sample 0, and one running past the end is padded with zeros to its full length (the reference
 * would stretch the shorter clip).
 */
public final class AnnoteatorFeature {

    public static final int CLIP_SAMPLES = 8_820;
    public static final int MEL_BANDS = 128;
    public static final int FRAMES = 18;
    public static final int N_FFT = 2048;
    public static final int HOP = 512;
    public static final double SAMPLE_RATE = 44_100;
    public static final double FMAX = 8_000;

    private static final SlaneyMelFilterbank MEL = new SlaneyMelFilterbank(SAMPLE_RATE, N_FFT, MEL_BANDS, 0, FMAX);
    private static final double[] HANN = periodicHann(N_FFT);
    /** Clip rates repeat for a whole song (one tempo), so their filterbanks are kept. */
    private static final Map<Integer, SlaneyMelFilterbank> FILTERBANKS = new ConcurrentHashMap<>();

    private AnnoteatorFeature() {}

    /** The [128,18,1] input for the onset at {@code onsetSample} of {@code mono} at {@code bpm}. */
    public static float[] forOnset(float[] mono, int sampleRate, int onsetSample, double bpm) {
        float[] clip = clip(mono, sampleRate, onsetSample, bpm);
        float[] resampled = SincResampler.resample(clip, CLIP_SAMPLES);
        int rate = clipRate(sampleRate, clip.length);
        FeedForwardCompressor.annoteator(rate).process(resampled);
        return melSpectrogram(resampled, rate);
    }

    /** The rate the reference assigns a clip of {@code clipLength} samples once resampled to 8,820. */
    public static int clipRate(int sampleRate, int clipLength) {
        return (int) (sampleRate * ((double) CLIP_SAMPLES / clipLength));
    }

    /** Samples before the onset that the clip starts: a quarter of a 32nd note. */
    public static int paddingSamples(int sampleRate, double bpm) {
        return (int) ((60 / bpm / 8) / 2 / 2 * sampleRate);
    }

    /** Samples from the onset to the clip's end: a 16th note. */
    public static int windowSamples(int sampleRate, double bpm) {
        return (int) (60 / bpm / 4 * sampleRate);
    }

    /** Step 1: the raw clip around the onset, before resampling. */
    public static float[] clip(float[] mono, int sampleRate, int onsetSample, double bpm) {
        if (!(bpm > 0) || sampleRate <= 0) {
            throw new IllegalArgumentException("need bpm > 0 and a sample rate, got " + bpm + ", " + sampleRate);
        }
        int start = Math.max(0, onsetSample - paddingSamples(sampleRate, bpm));
        int length = onsetSample + windowSamples(sampleRate, bpm) - start;
        float[] clip = new float[Math.max(1, length)];
        int available = Math.max(0, Math.min(clip.length, mono.length - start));
        if (available > 0) {
            System.arraycopy(mono, start, clip, 0, available);
        }
        return clip;
    }

    /**
     * Step 4 at 44.1 kHz: the power mel spectrogram of an {@value #CLIP_SAMPLES}-sample clip,
     * [128, 18] mel-major (band * 18 + frame).
     */
    public static float[] melSpectrogram(float[] clip) {
        return melSpectrogram(clip, (int) SAMPLE_RATE);
    }

    /** Step 4 for a clip whose samples are at {@code sampleRate}. */
    public static float[] melSpectrogram(float[] clip, int sampleRate) {
        SlaneyMelFilterbank melBank = sampleRate == (int) SAMPLE_RATE ? MEL : filterbank(sampleRate);
        if (clip.length != CLIP_SAMPLES) {
            throw new IllegalArgumentException("clip must have " + CLIP_SAMPLES + " samples, got " + clip.length);
        }
        int pad = N_FFT / 2;
        double[] padded = new double[clip.length + 2 * pad];
        for (int i = 0; i < clip.length; i++) {
            padded[pad + i] = clip[i];
        }
        // numpy 'reflect': the edge sample is not repeated
        for (int i = 1; i <= pad; i++) {
            padded[pad - i] = clip[i];
            padded[pad + clip.length - 1 + i] = clip[clip.length - 1 - i];
        }
        int frames = 1 + (padded.length - N_FFT) / HOP;
        DoubleFFT_1D fft = new DoubleFFT_1D(N_FFT);
        double[] frame = new double[N_FFT];
        double[] power = new double[N_FFT / 2 + 1];
        double[] mel = new double[MEL_BANDS];
        float[] out = new float[MEL_BANDS * frames];
        for (int t = 0; t < frames; t++) {
            int offset = t * HOP;
            for (int i = 0; i < N_FFT; i++) {
                frame[i] = padded[offset + i] * HANN[i];
            }
            fft.realForward(frame);
            // JTransforms packs [Re0, Re(n/2), Re1, Im1, ...]
            power[0] = frame[0] * frame[0];
            power[N_FFT / 2] = frame[1] * frame[1];
            for (int k = 1; k < N_FFT / 2; k++) {
                double re = frame[2 * k];
                double im = frame[2 * k + 1];
                power[k] = re * re + im * im;
            }
            melBank.apply(power, mel);
            for (int m = 0; m < MEL_BANDS; m++) {
                out[m * frames + t] = (float) mel[m];
            }
        }
        return out;
    }

    private static SlaneyMelFilterbank filterbank(int sampleRate) {
        if (FILTERBANKS.size() > 256) {
            FILTERBANKS.clear();
        }
        return FILTERBANKS.computeIfAbsent(sampleRate, sr -> new SlaneyMelFilterbank(sr, N_FFT, MEL_BANDS, 0, FMAX));
    }

    /** scipy.signal.get_window('hann', n, fftbins=True). */
    static double[] periodicHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }
}
