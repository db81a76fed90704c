package io.songmap.loadtests.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.songmap.audio.notes.Note;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.loadtests.quality.Composition.NoteEvent;
import io.songmap.loadtests.quality.Composition.Part;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthTest {

  /** 120 BPM exactly: 500,000 µs per quarter, 960 ticks per quarter, one beat of lead-in. */
  private static final Timing T120 = new Timing(960, 500_000, 960, FluidSynth.ONSET_LATENCY_SECONDS);

  @Nested
  class TheTimeGrid {
    @Test
    void aTempoIsWhatTheMidiFileCanStore() {
      Timing t = Timing.atBpm(123, 960, 0);
      assertThat(t.microsPerQuarter()).isEqualTo(487_805);
      assertThat(t.bpm()).isCloseTo(60_000_000.0 / 487_805, within(1e-12));
      assertThat(t.leadInTicks()).isEqualTo(960);
    }

    @Test
    void barsBeatsAndSixteenthsAreCountedFromTheFirstDownbeat() {
      assertThat(T120.ticksPerBar()).isEqualTo(3840);
      assertThat(T120.ticksPerStep()).isEqualTo(240);
      assertThat(T120.tick(0, 0)).isEqualTo(960);
      assertThat(T120.tick(2, 6)).isEqualTo(960 + 2 * 3840 + 6 * 240);
      assertThat(T120.secondsPerBar()).isEqualTo(2.0);
      assertThat(T120.midiSeconds(T120.tick(2, 6))).isCloseTo(0.5 + 4.0 + 0.75, within(1e-12));
    }

    @Test
    void audioTimeIsTheMidiTimePlusTheRenderersOnsetLatency() {
      long tick = T120.tick(1, 4);
      assertThat(T120.audioSeconds(tick) - T120.midiSeconds(tick)).isCloseTo(0.0024, within(1e-12));
      assertThat(T120.audioSeconds(tick)).isCloseTo(0.5 + 2.0 + 0.5 + 0.0024, within(1e-12));
    }
  }

  @Nested
  class FromAComposition {
    private final Composition song = new Composition(7, T120, 3, T120.tick(2, 0) + 960 * 2, "C major",
        new Part("drums", GmDrums.CHANNEL, 0, 64, List.of(
            new NoteEvent(T120.tick(0, 0), 240, GmDrums.KICK, 100),
            new NoteEvent(T120.tick(0, 0), 240, GmDrums.CRASH_2, 110),
            new NoteEvent(T120.tick(0, 4), 240, GmDrums.SNARE, 100),
            new NoteEvent(T120.tick(0, 14), 240, GmDrums.OPEN_HIHAT, 90),
            new NoteEvent(T120.tick(1, 12), 240, GmDrums.LOW_TOM, 90),
            new NoteEvent(T120.tick(1, 15), 240, GmDrums.RIDE, 90))),
        new Part("bass", 0, 33, 64, List.of(
            new NoteEvent(T120.tick(0, 0), 480, 40, 100),
            new NoteEvent(T120.tick(2, 0), 3840, 40, 100))),
        new Part("melody", 1, 65, 64, List.of(new NoteEvent(T120.tick(1, 2), 720, 72, 100))),
        Optional.empty());
    private final GroundTruth truth = GroundTruth.of(song, 44_100, Map.of("drums", "stems/drums.wav"));

    @Test
    void theSongLastsUntilItsEndTick() {
      // lead-in 0.5 s + two bars of 2 s + two beats
      assertThat(truth.durationSeconds()).isEqualTo(5.5);
      assertThat(GroundTruth.frames(song, 44_100)).isEqualTo(5 * 44_100 + 22_050);
    }

    @Test
    void drumHitsAreInAudioTimeWithTheirKitPiece() {
      assertThat(truth.drums().hits()).extracting(GroundTruth.Hit::time, GroundTruth.Hit::instrument)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(0.5024, DrumInstrument.KICK),
              org.assertj.core.groups.Tuple.tuple(0.5024, DrumInstrument.CRASH),
              org.assertj.core.groups.Tuple.tuple(1.0024, DrumInstrument.SNARE),
              org.assertj.core.groups.Tuple.tuple(2.2524, DrumInstrument.HIHAT),
              org.assertj.core.groups.Tuple.tuple(4.0024, DrumInstrument.TOM),
              org.assertj.core.groups.Tuple.tuple(4.3774, DrumInstrument.RIDE));
      assertThat(truth.drumHits()).hasSize(6);
    }

    @Test
    void noteOffsetsAreNoteOffTimesCutAtTheEnd() {
      assertThat(truth.bass().notes()).containsExactly(new Note(0.5024, 0.7524, 40, 100), new Note(4.5024, 5.5, 40, 100));
      assertThat(truth.melody().notes()).containsExactly(new Note(2.7524, 3.1274, 72, 100));
      assertThat(truth.other()).isNull();
    }

    @Test
    void beatsFallOnEveryQuarterFromTheFirstDownbeat() {
      assertThat(truth.tempo().bpm()).isEqualTo(120.0);
      assertThat(truth.tempo().beats()).hasSize(10);
      assertThat(truth.tempo().beats().get(0)).isEqualTo(0.5024);
      assertThat(truth.tempo().beats().get(9)).isCloseTo(0.5024 + 9 * 0.5, within(1e-9));
      assertThat(truth.downbeats()).hasSize(3);
      assertThat(truth.downbeats().get(2)).isCloseTo(4.5024, within(1e-9));
    }

    @Test
    void theJsonReadsBackTheSame(@TempDir Path dir) throws Exception {
      Path file = dir.resolve("truth.json");
      truth.write(file);
      assertThat(GroundTruth.read(file)).isEqualTo(truth);
      assertThat(Files.readString(file)).contains("\"instrument\" : \"hihat\"");
    }
  }

  @Nested
  class GeneratedSongs {
    @Test
    void theSameSeedGivesTheSameSong() {
      Composer.Options options = Composer.Options.of(30).withPads(true);
      assertThat(Composer.compose(42, options)).isEqualTo(Composer.compose(42, options));
      assertThat(Composer.compose(42, options)).isNotEqualTo(Composer.compose(43, options));
    }

    @Test
    void songsStayInTheirBoundsAndCanBeTranscribed() {
      for (long seed = 1; seed <= 40; seed++) {
        Composition song = Composer.compose(seed, Composer.Options.of(seed % 2 == 0 ? 30 : 45).withPads(true));
        Timing t = song.timing();
        assertThat(t.bpm()).isBetween(79.99, 160.01);
        assertThat(song.durationSeconds()).isCloseTo(seed % 2 == 0 ? 30 : 45, within(0.001));
        GroundTruth truth = GroundTruth.of(song, 44_100, Map.of());
        for (DrumInstrument piece : List.of(DrumInstrument.KICK, DrumInstrument.SNARE, DrumInstrument.HIHAT)) {
          List<Double> times = truth.drums().hits().stream().filter(h -> h.instrument() == piece)
              .map(GroundTruth.Hit::time).toList();
          assertThat(times).as("seed %d %s", seed, piece).hasSizeGreaterThan(4);
          // Hits of one piece stay further apart than the ±50 ms evaluation window could confuse.
          for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("seed %d %s", seed, piece).isGreaterThan(0.08);
          }
        }
        for (Part part : List.of(song.bass(), song.melody())) {
          List<NoteEvent> notes = part.events();
          assertThat(notes).as("seed %d %s", seed, part.name()).isNotEmpty();
          for (int i = 0; i < notes.size(); i++) {
            NoteEvent n = notes.get(i);
            assertThat(n.endTick()).isLessThanOrEqualTo(song.endTick());
            if (i > 0) {
              assertThat(n.tick()).as("seed %d %s monophonic", seed, part.name())
                  .isGreaterThanOrEqualTo(notes.get(i - 1).endTick());
            }
          }
        }
        assertThat(song.bass().events()).allSatisfy(n -> assertThat(n.key()).isBetween(26, 52));
        assertThat(song.melody().events()).allSatisfy(n -> assertThat(n.key()).isBetween(54, 84));
      }
    }
  }

  @Nested
  class TheMidiFile {
    @Test
    void holdsTheTempoAndEveryNoteAtItsTick(@TempDir Path dir) throws Exception {
      Composition song = Composer.compose(5, Composer.Options.of(20));
      Path file = dir.resolve("song.mid");
      MidiFiles.write(song, song.parts(), file);
      Sequence read = MidiSystem.getSequence(file.toFile());
      assertThat(read.getResolution()).isEqualTo(Composer.TICKS_PER_QUARTER);
      Integer tempo = null;
      Map<Integer, List<Long>> onsByChannel = new HashMap<>();
      for (Track track : read.getTracks()) {
        for (int i = 0; i < track.size(); i++) {
          MidiEvent e = track.get(i);
          if (e.getMessage() instanceof MetaMessage m && m.getType() == 0x51) {
            byte[] d = m.getData();
            tempo = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
          } else if (e.getMessage() instanceof ShortMessage s && s.getCommand() == ShortMessage.NOTE_ON
              && s.getData2() > 0) {
            onsByChannel.computeIfAbsent(s.getChannel(), c -> new ArrayList<>()).add(e.getTick());
          }
        }
      }
      assertThat(tempo).isEqualTo(song.timing().microsPerQuarter());
      for (Part part : song.parts()) {
        assertThat(onsByChannel.get(part.channel())).as(part.name())
            .containsExactlyInAnyOrderElementsOf(part.events().stream().map(NoteEvent::tick).toList());
      }
    }
  }
}
