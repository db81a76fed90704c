package io.songmap.stages.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.artifacts.LocalArtifactStore;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.songmap.LyricsStatus;
import io.songmap.audio.songmap.SongMap;
import io.songmap.audio.songmap.SongMapJson;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.CpuServer;
import io.songmap.inference.cpu.CpuServerConfig;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobState;
import io.songmap.job.JobStatus;
import io.songmap.job.StageStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.Stages;
import io.songmap.stages.pipeline.PipelineFixture;
import io.songmap.stages.runtime.StageHandler;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;

/**
 * A real MP3 becomes a Song Map: the relay and six stage workers over the real Kafka broker and
 * PostgreSQL, the stages as {@link Stages#create} builds them, the CPU inference server on a
 * random gRPC port with its real models (DSP separator, AnNOTEator drum CNN, Basic Pitch; whisper
 * NOT READY, so lyrics are skipped with the server's reason), and a local artifact store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SongToSongMapIT {

  private PipelineFixture fx;
  private Path root;
  private LocalArtifactStore artifacts;
  private CpuServer server;
  private TritonClient triton;

  @BeforeAll
  void startPipeline() throws Exception {
    fx = PipelineFixture.create("songmap_e2e", PipelineFixture.FAST_RETRIES);
    root = Files.createTempDirectory("songmap-e2e");
    artifacts = new LocalArtifactStore(fx.vertx, root.resolve("artifacts"));
    server = CpuServer.start(CpuServerConfig.defaults(0), models());
    triton = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()).withDeadline(Duration.ofMinutes(2)));
    Stages.Settings settings = Stages.Settings.defaults().withWorkDir(root.resolve("work"));
    Map<Stage, StageHandler> handlers = Stages.create(fx.vertx, artifacts, triton, settings);
    fx.deploy(fx.relay(fx.relayConfig()));
    for (Stage stage : Stage.values()) {
      fx.deploy(fx.worker(stage, handlers.get(stage), fx.workerConfig()
          .withTimeouts(Duration.ofMinutes(3), Duration.ofSeconds(5))));
    }
  }

  /** The server's default models: the DSP separator as htdemucs, the drum CNN, Basic Pitch, whisper (not ready). */
  private static List<CpuModel> models() {
    List<CpuModel> models = CpuModels.defaults();
    assertThat(models).extracting(CpuModel::name).contains("htdemucs", "drum_cnn", "basic_pitch", "whisper");
    return models;
  }

  @AfterAll
  void stopPipeline() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (triton != null) {
      triton.close();
    }
    if (server != null) {
      server.close();
    }
    if (root != null) {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void anUploadedMp3BecomesAValidSongMapMusicXmlAndMidi() throws Exception {
    String jobId = "e2e-808";
    Path mp3 = StageHarness.shared().resolve("data/808kick120bpm.mp3");
    ArtifactKey upload = new ArtifactKey(PipelineFixture.TENANT, jobId, "upload/808kick120bpm.mp3");
    PipelineFixture.await(artifacts.put(upload, mp3));

    long started = System.nanoTime();
    fx.command(new JobCommand.SubmitJob(jobId, PipelineFixture.TENANT, AudioSource.objectKey(upload.path()),
        List.of("songmap", "musicxml", "midi"), 0, Map.of(), Map.of(), Instant.now()));
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
        .until(() -> fx.state(jobId).isFinished());
    double seconds = (System.nanoTime() - started) / 1e9;
    JobState state = fx.state(jobId);
    assertThat(state.status()).as("job %s: %s", jobId, state.error()).isEqualTo(JobStatus.COMPLETED);
    System.out.printf("e2e: 10 s MP3 through Kafka, the six stages and the cpu-server in %.1f s%n", seconds);
    printStageTimes(fx.events(jobId));

    assertThat(state.stageStatus(Stage.LYRICS)).isEqualTo(StageStatus.SKIPPED);
    assertThat(fx.events(jobId)).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(JobEvent.StageSkipped.class,
        skipped -> assertThat(skipped.reason()).contains("whisper")));
    assertThat(fx.events(jobId)).filteredOn(e -> e instanceof JobEvent.StageProgressed).isNotEmpty();

    Map<String, String> ingest = state.outputs(Stage.INGEST);
    assertThat(Double.parseDouble(ingest.get("durationSeconds"))).isBetween(9.9, 10.2);
    assertThat(ingest.get("sourceSha256")).isEqualTo(sha256(mp3));

    Map<String, String> packaged = state.outputs(Stage.PACKAGE);
    SongMap map = SongMapJson.read(new String(bytes(packaged.get("songmap")), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(map.jobId()).isEqualTo(jobId);
    assertThat(map.source().name()).isEqualTo("808kick120bpm.mp3");
    assertThat(map.source().sha256()).isEqualTo(sha256(mp3));
    assertThat(map.tempo().bpm()).as("tempo").isBetween(120 * 0.96, 120 * 1.04);
    assertThat(map.tempo().beats()).hasSizeGreaterThan(10);
    List<DrumHit> kicks = map.drums().hits().stream().filter(h -> h.instrument() == DrumInstrument.KICK).toList();
    assertThat(kicks).as("kick hits in %s", map.drums().hits()).hasSizeGreaterThanOrEqualTo(8);
    for (int i = 1; i < kicks.size(); i++) {
      double sixteenths = (kicks.get(i).time() - kicks.get(0).time()) / 0.125;
      assertThat(Math.abs(sixteenths - Math.rint(sixteenths)) * 0.125)
          .as("kick at %.3f s sits on the 16th-note grid of 120 BPM", kicks.get(i).time()).isLessThan(0.03);
    }
    assertThat(map.lyrics().status()).isEqualTo(LyricsStatus.SKIPPED);
    assertThat(map.lyrics().reason()).contains("whisper");
    assertThat(map.stems().drums().uri()).endsWith("stems/drums.wav");
    assertThat(map.models()).containsKeys("separate", "drums", "melody_bass");
    assertThat(map.models().get("drums").name()).isEqualTo("drum_cnn");

    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document score = factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes(packaged.get("musicxml"))));
    assertThat(score.getDocumentElement().getTagName()).isEqualTo("score-partwise");
    assertThat(score.getElementsByTagName("measure").getLength()).isGreaterThan(2);
    assertThat(score.getElementsByTagName("unpitched").getLength()).isGreaterThanOrEqualTo(kicks.size());

    Sequence midi = MidiSystem.getSequence(new ByteArrayInputStream(bytes(packaged.get("midi"))));
    int drumNotes = 0;
    int tempos = 0;
    for (Track track : midi.getTracks()) {
      for (int i = 0; i < track.size(); i++) {
        MidiEvent event = track.get(i);
        if (event.getMessage() instanceof ShortMessage m && m.getCommand() == ShortMessage.NOTE_ON
            && m.getChannel() == 9 && m.getData2() > 0) {
          drumNotes++;
        }
        if (event.getMessage() instanceof MetaMessage m && m.getType() == 0x51) {
          tempos++;
        }
      }
    }
    assertThat(drumNotes).isEqualTo(map.drums().hits().size());
    assertThat(tempos).isGreaterThanOrEqualTo(1);
    if (packaged.containsKey("pdf")) {
      assertThat(new String(bytes(packaged.get("pdf")), 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("%PDF-");
    } else {
      assertThat(packaged).containsKey("pdfSkipped");
    }
  }

  /** How long each stage ran, from StageStarted to its result, as recorded in the job's events. */
  private static void printStageTimes(List<JobEvent> events) {
    Map<Stage, Instant> started = new java.util.EnumMap<>(Stage.class);
    Instant submitted = events.get(0).at();
    for (JobEvent e : events) {
      if (e instanceof JobEvent.StageStarted s) {
        started.put(s.stage(), s.at());
      } else if (e instanceof JobEvent.StageCompleted || e instanceof JobEvent.StageSkipped) {
        Stage stage = ((JobEvent.StageEvent) e).stage();
        System.out.printf("e2e: %-11s started at +%5.2f s, ran %5.2f s%n", stage,
            Duration.between(submitted, started.get(stage)).toMillis() / 1e3,
            Duration.between(started.get(stage), e.at()).toMillis() / 1e3);
      }
    }
  }

  private byte[] bytes(String key) {
    return PipelineFixture.await(artifacts.read(ArtifactKey.parse(key))).getBytes();
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
