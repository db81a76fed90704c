package io.songmap.loadtests.quality;

import io.songmap.audio.decode.PcmAudio;
import io.songmap.audio.wav.WavReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a MIDI file to audio with the {@code fluidsynth} command and a General MIDI soundfont
 * (Debian: {@code apt-get install fluidsynth fluid-soundfont-gm}).
 */
public final class FluidSynth {

  /**
   * How much later than its MIDI time a note rendered this way starts to sound: measured with
   * FluidSynth 2.3 and FluidR3_GM as 2.4 ms on average (the player dispatches events once per
   * 64-sample block, so single notes scatter by about ±0.8 ms around it). Slow-attack programs
   * become loud later still; that part is the instrument's, not the renderer's, and stays in.
   */
  public static final double ONSET_LATENCY_SECONDS = 0.0024;
  public static final Path DEFAULT_SOUNDFONT = Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2");
  public static final int SAMPLE_RATE = 44_100;

  private final String executable;
  private final Path soundfont;
  private final double gain;

  public FluidSynth(String executable, Path soundfont, double gain) {
    this.executable = executable;
    this.soundfont = soundfont;
    this.gain = gain;
  }

  public static FluidSynth defaults() {
    return new FluidSynth("fluidsynth", DEFAULT_SOUNDFONT, 0.5);
  }

  public Path soundfont() {
    return soundfont;
  }

  /** Fails with what to install when the command or the soundfont is missing. */
  public void requireInstalled() {
    if (!Files.isReadable(soundfont)) {
      throw new IllegalStateException("soundfont " + soundfont + " not found: apt-get install -y fluid-soundfont-gm");
    }
    try {
      Process p = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(executable + " --version failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("the fluidsynth command is missing: apt-get install -y fluidsynth", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Renders {@code midi} to 44.1 kHz stereo float and returns exactly {@code frames} frames of it,
   * from the file's time zero (cut, or padded with silence).
   */
  public PcmAudio render(Path midi, Path workDir, int frames) throws IOException {
    Path wav = Files.createTempFile(workDir, "render-", ".wav");
    try {
      List<String> command = new ArrayList<>(List.of(executable, "-ni", "-g", Double.toString(gain),
          "-F", wav.toString(), "-T", "wav", "-O", "float", "-r", Integer.toString(SAMPLE_RATE),
          soundfont.toString(), midi.toString()));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("fluidsynth took longer than 10 minutes on " + midi);
      }
      if (p.exitValue() != 0 || Files.size(wav) == 0) {
        throw new IOException("fluidsynth failed on " + midi + " (exit " + p.exitValue() + "): " + output.strip());
      }
      PcmAudio audio = WavReader.read(wav);
      if (audio.sampleRate() != SAMPLE_RATE) {
        throw new IOException("fluidsynth wrote " + audio.sampleRate() + " Hz, asked for " + SAMPLE_RATE);
      }
      float[][] out = new float[2][frames];
      for (int ch = 0; ch < 2; ch++) {
        float[] src = audio.channel(Math.min(ch, audio.channels() - 1));
        System.arraycopy(src, 0, out[ch], 0, Math.min(frames, src.length));
      }
      return new PcmAudio(SAMPLE_RATE, out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while rendering " + midi, e);
    } finally {
      Files.deleteIfExists(wav);
    }
  }
}
