package io.songmap.loadtests.quality;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.songmap.audio.songmap.DrumHit;
import io.songmap.audio.songmap.DrumInstrument;
import io.songmap.audio.notes.Note;
import io.songmap.loadtests.quality.Composition.NoteEvent;
import io.songmap.loadtests.quality.Composition.Part;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generated song contains, in audio time: every drum hit with its kit piece, every bass and
 * melody note, the tempo and the beats. Times are the MIDI times plus the renderer's constant onset
 * latency ({@link Timing#audioSeconds}); offsets are the note-off times on the same clock, cut at
 * the end of the song. Same shapes as in the Song Map, so the two compare directly.
 */
@JsonPropertyOrder({"generator", "seed", "durationSeconds", "sampleRate", "onsetLatencySeconds", "timeSignature",
    "key", "tempo", "downbeats", "programs", "drums", "bass", "melody", "other", "stems"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroundTruth(String generator, long seed, double durationSeconds, int sampleRate,
    double onsetLatencySeconds, String timeSignature, String key, Tempo tempo, List<Double> downbeats,
    Map<String, Integer> programs, Drums drums, Notes bass, Notes melody, Notes other, Map<String, String> stems) {

  public static final String GENERATOR = "songmap-quality-generator/1";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public record Tempo(double bpm, List<Double> beats) {}

  /** A drum hit as in the Song Map, with the GM percussion key that played it. */
  public record Hit(double time, DrumInstrument instrument, int velocity, int gmKey) {}

  public record Drums(List<Hit> hits) {}

  public record Notes(List<Note> notes) {}

  /**
   * The ground truth of {@code song} rendered at {@code sampleRate}, whose audio is exactly {@link
   * #frames} long.
   *
   * @param stems stem name to file, relative to the song's directory
   */
  public static GroundTruth of(Composition song, int sampleRate, Map<String, String> stems) {
    Timing t = song.timing();
    double duration = (double) frames(song, sampleRate) / sampleRate;
    List<Double> beats = new ArrayList<>();
    List<Double> downbeats = new ArrayList<>();
    long beatTicks = t.ticksPerQuarter();
    for (long tick = t.tick(0, 0); t.audioSeconds(tick) < duration; tick += beatTicks) {
      beats.add(round(t.audioSeconds(tick)));
      if ((tick - t.leadInTicks()) % t.ticksPerBar() == 0) {
        downbeats.add(round(t.audioSeconds(tick)));
      }
    }
    List<Hit> hits = new ArrayList<>();
    for (NoteEvent e : song.drums().events()) {
      double time = t.audioSeconds(e.tick());
      if (time < duration) {
        hits.add(new Hit(round(time), GmDrums.instrument(e.key()), e.velocity(), e.key()));
      }
    }
    hits.sort(Comparator.comparingDouble(Hit::time).thenComparing(Hit::instrument));
    Map<String, Integer> programs = new LinkedHashMap<>();
    for (Part p : song.parts()) {
      if (!p.percussion()) {
        programs.put(p.name(), p.program());
      }
    }
    return new GroundTruth(GENERATOR, song.seed(), duration, sampleRate, t.onsetLatencySeconds(), "4/4", song.key(),
        new Tempo(t.bpm(), beats), downbeats, programs, new Drums(hits), notes(song.bass(), t, duration),
        notes(song.melody(), t, duration), song.pads().map(p -> notes(p, t, duration)).orElse(null),
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stems)));
  }

  /** Length of the song's audio in frames: up to its end tick. */
  public static int frames(Composition song, int sampleRate) {
    return (int) Math.round(song.timing().midiSeconds(song.endTick()) * sampleRate);
  }

  static Notes notes(Part part, Timing t, double duration) {
    List<Note> notes = new ArrayList<>();
    for (NoteEvent e : part.events()) {
      double start = t.audioSeconds(e.tick());
      if (start < duration) {
        double end = Math.min(duration, t.audioSeconds(e.endTick()));
        notes.add(new Note(round(start), round(end), e.key(), e.velocity()));
      }
    }
    notes.sort(Comparator.comparingDouble(Note::start).thenComparingInt(Note::midi));
    return new Notes(notes);
  }

  /** The hits as Song Map drum hits, for the drum metrics. */
  public List<DrumHit> drumHits() {
    return drums.hits().stream().map(h -> new DrumHit(h.time(), h.instrument(), h.velocity())).toList();
  }

  public void write(Path file) throws IOException {
    MAPPER.writeValue(file.toFile(), this);
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static GroundTruth read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), GroundTruth.class);
  }

  /** Microsecond precision: far below any evaluation window, and readable. */
  private static double round(double seconds) {
    return Math.round(seconds * 1e6) / 1e6;
  }
}
