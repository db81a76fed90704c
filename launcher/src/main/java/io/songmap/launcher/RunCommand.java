package io.songmap.launcher;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.JobState;
import io.songmap.job.JobStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code songmap run}: one song through the whole pipeline in this process. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Processes one song end-to-end in this process: an in-process Kafka broker (unless",
        "SONGMAP_KAFKA_BOOTSTRAP is set), PostgreSQL (SONGMAP_PG_URL or 127.0.0.1:5432), the CPU",
        "inference server (unless SONGMAP_TRITON_URL is set), the relay and every stage processor.",
        "Shows live progress per stage, then writes songmap.json, drums.musicxml, song.mid, drums.pdf",
        "(when MuseScore is installed) and stems/<name>.wav into the output directory.",
        "Without a file it processes the bundled demo song."})
final class RunCommand implements Callable<Integer> {
  static final String DEMO = "demo/demo-song.mp3";

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
      description = "audio file (WAV, MP3, FLAC, OGG/Opus, M4A/AAC); default: the demo song")
  Path file;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write the results (default ./songmap-out/<job id>)")
  Path out;

  @Option(names = "--timeout-minutes", description = "give up after this long (default ${DEFAULT-VALUE})")
  int timeoutMinutes = 30;

  @Override
  public Integer call() throws Exception {
    PrintStream o = System.out;
    Settings settings = Settings.fromEnv(System.getenv());
    Path input = file != null ? file : demoSong();
    if (!Files.isRegularFile(input)) {
      System.err.println("songmap run: no such file: " + input);
      return 2;
    }
    String jobId = UUID.randomUUID().toString();
    Path outDir = out != null ? out : Path.of("songmap-out", jobId);
    o.println("Songmap: " + input.getFileName() + " (job " + jobId + ")");
    long t0 = System.nanoTime();
    try (Node node = Node.create(settings, System.getenv())) {
      node.kafka().postgres().artifacts().inference().relay().workers(Node.allStages());
      var where = new java.util.LinkedHashMap<>(settings.describe());
      where.put("PostgreSQL", node.pg.getHost() + ":" + node.pg.getPort() + "/" + node.pg.getDatabase());
      o.printf("ready in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, where);

      ArtifactKey upload = new ArtifactKey(settings.tenant(), jobId, "upload/" + safeName(input));
      Node.await(node.artifacts.put(upload, input), "storing the upload");
      Node.await(node.commands.handle(settings.tenant(), new JobCommand.SubmitJob(jobId, settings.tenant(),
          AudioSource.objectKey(upload.path()), List.of("songmap", "musicxml", "midi", "pdf"), 0,
          Map.of("fileName", input.getFileName().toString()), Map.of(), Instant.now()),
          new JobCommands.Meta(jobId, null)), "submitting the job");

      ProgressView view = new ProgressView(o, System.console() != null);
      long deadline = System.nanoTime() + timeoutMinutes * 60_000_000_000L;
      JobState state;
      while (true) {
        state = Node.await(node.commands.load(settings.tenant(), jobId), "reading the job");
        view.render(state);
        if (state.isFinished()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          System.err.println("songmap run: gave up after " + timeoutMinutes + " min; the job is still " + state.status());
          return 3;
        }
        Thread.sleep(200);
      }
      view.finish(state);
      if (state.status() != JobStatus.COMPLETED) {
        var err = state.error();
        System.err.printf("songmap run: job %s %s%s%n", jobId, state.status().name().toLowerCase(),
            err.map(e -> " at " + e.stage().wireName() + ": " + e.code() + ": " + e.message()).orElse(""));
        return 1;
      }
      List<Path> written = writeResults(node, state, outDir);
      o.printf("%nDone in %.1f s. Results in %s:%n", (System.nanoTime() - t0) / 1e9, outDir.toAbsolutePath());
      for (Path p : written) {
        o.println("  " + p);
      }
      SongMap map = SongMapJson.read(Files.readString(outDir.resolve("songmap.json"), StandardCharsets.UTF_8));
      o.println();
      o.print(summary(map));
      if (!state.outputs(Stage.PACKAGE).containsKey("pdf")) {
        String why = state.outputs(Stage.PACKAGE).getOrDefault("pdfSkipped", "no PDF renderer");
        o.println("  PDF: not written (" + why + ")");
      }
      return 0;
    }
  }

  static String summary(SongMap map) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("  duration: %.1f s%n", map.durationSeconds()));
    s.append(String.format("  tempo: %.1f BPM, %d beats%n", map.tempo().bpm(), map.tempo().beats().size()));
    Map<String, Long> perInstrument = map.drums().hits().stream()
        .collect(Collectors.groupingBy(h -> h.instrument().name().toLowerCase(), TreeMap::new, Collectors.counting()));
    s.append(String.format("  drums: %d hits %s%n", map.drums().hits().size(), perInstrument));
    s.append(String.format("  bass: %d notes; melody: %d notes%n", map.bass().notes().size(), map.melody().notes().size()));
    s.append(String.format("  lyrics: %s%s%n", map.lyrics().status().name().toLowerCase(),
        map.lyrics().reason() == null ? ", " + map.lyrics().words().size() + " words" : " (" + map.lyrics().reason() + ")"));
    return s.toString();
  }

  private List<Path> writeResults(Node node, JobState state, Path outDir) throws Exception {
    Files.createDirectories(outDir.resolve("stems"));
    List<Path> written = new ArrayList<>();
    Map<String, String> pkg = state.outputs(Stage.PACKAGE);
    for (var e : Map.of("songmap", "songmap.json", "musicxml", "drums.musicxml", "midi", "song.mid", "pdf", "drums.pdf")
        .entrySet()) {
      String key = pkg.get(e.getKey());
      if (key != null) {
        written.add(copy(node, key, outDir.resolve(e.getValue())));
      }
    }
    Map<String, String> stems = state.outputs(Stage.SEPARATE);
    for (String stem : List.of("drums", "bass", "other", "vocals")) {
      String key = stems.get(stem);
      if (key != null) {
        written.add(copy(node, key, outDir.resolve("stems").resolve(stem + ".wav")));
      }
    }
    written.sort(null);
    return written;
  }

  private static Path copy(Node node, String key, Path to) throws Exception {
    Path from = Node.await(node.artifacts.localFile(ArtifactKey.parse(key)), "reading " + key);
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    return to;
  }

  private static String safeName(Path p) {
    String n = p.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    return n.isEmpty() || n.startsWith(".") ? "song" + n : n;
  }

  private static Path demoSong() throws Exception {
    try (InputStream in = RunCommand.class.getClassLoader().getResourceAsStream(DEMO)) {
      if (in == null) {
        throw new IllegalStateException("the demo song is missing from this build (" + DEMO + ")");
      }
      Path tmp = Files.createTempDirectory("songmap-demo").resolve("demo-song.mp3");
      Files.copy(in, tmp);
      tmp.toFile().deleteOnExit();
      return tmp;
    }
  }
}
