package io.songmap.loadtests.quality;

import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavFormat;
import io.songmap.audio.wav.WavWriter;
import io.songmap.loadtests.quality.Composition.Part;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes a test song with exact ground truth: composes it ({@link Composer}), writes each part as a
 * MIDI file, renders each part on its own with FluidSynth, and mixes the renders. The stems are the
 * renders as they sit in the mix (same gain), so they sum to the mix and serve as references for
 * separation.
 *
 * <p>Layout of a song's directory: {@code mix.wav} (16-bit), {@code stems/<part>.wav} (float),
 * {@code midi/song.mid} and {@code midi/<part>.mid}, {@code truth.json}.
 */
public final class SongGenerator {

  /** Peak of the mix: -1 dBFS. */
  static final double MIX_PEAK = 0.891;

  private final FluidSynth synth;

  public SongGenerator(FluidSynth synth) {
    this.synth = synth;
  }

  public Path soundfont() {
    return synth.soundfont();
  }

  /** One generated song on disk. */
  public record GeneratedSong(Path dir, Path mix, Map<String, Path> stems, GroundTruth truth, Composition composition) {}

  public GeneratedSong generate(long seed, Composer.Options options, Path dir) throws IOException {
    Composition song = Composer.compose(seed, options);
    Files.createDirectories(dir.resolve("midi"));
    Files.createDirectories(dir.resolve("stems"));
    MidiFiles.write(song, song.parts(), dir.resolve("midi/song.mid"));
    int frames = GroundTruth.frames(song, FluidSynth.SAMPLE_RATE);
    Map<String, PcmAudio> renders = new LinkedHashMap<>();
    for (Part part : song.parts()) {
      Path midi = dir.resolve("midi/" + part.name() + ".mid");
      MidiFiles.write(song, List.of(part), midi);
      renders.put(part.name(), synth.render(midi, dir, frames));
    }
    Map<String, Double> gains = partGains(seed, renders.keySet());
    float[][] mix = new float[2][frames];
    for (Map.Entry<String, PcmAudio> e : renders.entrySet()) {
      addScaled(mix, e.getValue().samples(), gains.get(e.getKey()));
    }
    double scale = MIX_PEAK / Math.max(1e-9, peak(mix));
    scaleInPlace(mix, scale);
    Map<String, Path> stems = new LinkedHashMap<>();
    Map<String, String> stemNames = new LinkedHashMap<>();
    for (Map.Entry<String, PcmAudio> e : renders.entrySet()) {
      float[][] stem = e.getValue().samples();
      scaleInPlace(stem, gains.get(e.getKey()) * scale);
      Path file = dir.resolve("stems/" + e.getKey() + ".wav");
      WavWriter.write(file, new PcmAudio(FluidSynth.SAMPLE_RATE, stem), WavFormat.FLOAT_32);
      stems.put(e.getKey(), file);
      stemNames.put(e.getKey(), "stems/" + e.getKey() + ".wav");
    }
    Path mixFile = dir.resolve("mix.wav");
    WavWriter.write(mixFile, new PcmAudio(FluidSynth.SAMPLE_RATE, mix), WavFormat.PCM_16);
    GroundTruth truth = GroundTruth.of(song, FluidSynth.SAMPLE_RATE, stemNames);
    truth.write(dir.resolve("truth.json"));
    return new GeneratedSong(dir, mixFile, stems, truth, song);
  }

  /** Level of each part in the mix, varied a little from song to song (linear gain). */
  static Map<String, Double> partGains(long seed, Iterable<String> parts) {
    SplittableRandom rng = new SplittableRandom(seed).split();
    Map<String, Double> gains = new LinkedHashMap<>();
    for (String part : parts) {
      double db = switch (part) {
        case "drums" -> 0;
        case "bass" -> -1 - 3 * rng.nextDouble();
        case "melody" -> -2 - 3 * rng.nextDouble();
        default -> -8 - 3 * rng.nextDouble();
      };
      gains.put(part, Math.pow(10, db / 20));
    }
    return gains;
  }

  private static void addScaled(float[][] into, float[][] from, double gain) {
    for (int ch = 0; ch < into.length; ch++) {
      for (int i = 0; i < into[ch].length; i++) {
        into[ch][i] += (float) (from[ch][i] * gain);
      }
    }
  }

  private static void scaleInPlace(float[][] audio, double gain) {
    for (float[] channel : audio) {
      for (int i = 0; i < channel.length; i++) {
        channel[i] = (float) (channel[i] * gain);
      }
    }
  }

  static double peak(float[][] audio) {
    double peak = 0;
    for (float[] channel : audio) {
      for (float v : channel) {
        peak = Math.max(peak, Math.abs(v));
      }
    }
    return peak;
  }
}
