package io.songmap.loadtests.quality;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quality benchmark: {@code load-tests/run quality --help}.
 */
@Command(name = "quality", mixinStandardHelpOptions = true,
    description = "Synthesizes songs with exact ground truth and scores the pipeline's Song Maps against them.")
public final class Main implements Callable<Integer> {

  @Option(names = "--songs", description = "number of songs (default ${DEFAULT-VALUE})")
  int songs = 5;

  @Option(names = "--seed", description = "seed of the first song; song i uses seed + i (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--seconds", description = "length of each song (default ${DEFAULT-VALUE})")
  double seconds = 30;

  @Option(names = "--pads", description = "add a chord-pad part (the 'other' stem)")
  boolean pads;

  @Option(names = "--generate-only", paramLabel = "DIR",
      description = "only write the songs (mix, stems, MIDI, truth.json) into DIR/song-<seed>/ and stop")
  Path generateOnly;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FluidSynth synth = FluidSynth.defaults();
    synth.requireInstalled();
    SongGenerator generator = new SongGenerator(synth);
    Composer.Options options = Composer.Options.of(seconds).withPads(pads);
    if (generateOnly != null) {
      for (int i = 0; i < songs; i++) {
        long s = seed + i;
        SongGenerator.GeneratedSong song = generator.generate(s, options, generateOnly.resolve("song-" + s));
        GroundTruth t = song.truth();
        System.out.printf(Locale.ROOT, "song %d: %s, %.1f BPM, %s, %d drum hits, %d bass notes, %d melody notes%n",
            s, song.dir(), t.tempo().bpm(), t.key(), t.drums().hits().size(), t.bass().notes().size(),
            t.melody().notes().size());
      }
      return 0;
    }
    return 0;
  }
}
