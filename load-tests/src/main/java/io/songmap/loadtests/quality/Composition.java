package io.songmap.loadtests.quality;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A generated song as MIDI events, before rendering: the drum, bass and melody parts and optional
 * chord pads, on one {@link Timing}. Everything the ground truth says is derived from this.
 *
 * @param bars bars of music from the first downbeat; the last one is the closing hit
 * @param endTick where the song ends (the audio is cut there)
 * @param key the key, e.g. "A minor"
 */
public record Composition(long seed, Timing timing, int bars, long endTick, String key, Part drums, Part bass,
    Part melody, Optional<Part> pads) {

  public Composition {
    Objects.requireNonNull(timing, "timing");
    Objects.requireNonNull(drums, "drums");
    Objects.requireNonNull(bass, "bass");
    Objects.requireNonNull(melody, "melody");
    Objects.requireNonNull(pads, "pads");
    if (bars < 1) {
      throw new IllegalArgumentException("bars must be >= 1: " + bars);
    }
  }

  public double durationSeconds() {
    return timing.midiSeconds(endTick);
  }

  /** The parts that are present, drums first. */
  public List<Part> parts() {
    return pads.map(p -> List.of(drums, bass, melody, p)).orElse(List.of(drums, bass, melody));
  }

  /**
   * One instrument's events on one MIDI channel.
   *
   * @param name the stem name: drums, bass, melody or other
   * @param channel MIDI channel 0..15 (9 is the GM percussion channel)
   * @param program GM program number, 0-based as {@code javax.sound.midi} counts (ignored on channel 9)
   * @param pan MIDI pan 0..127 (64 is centre)
   */
  public record Part(String name, int channel, int program, int pan, List<NoteEvent> events) {
    public Part {
      Objects.requireNonNull(name, "name");
      if (channel < 0 || channel > 15 || program < 0 || program > 127 || pan < 0 || pan > 127) {
        throw new IllegalArgumentException("channel, program or pan out of range in part " + name);
      }
      events = List.copyOf(events);
    }

    public boolean percussion() {
      return channel == GmDrums.CHANNEL;
    }
  }

  /**
   * A MIDI note: on at {@code tick}, off {@code durationTicks} later.
   *
   * @param key MIDI note number (for drums the GM percussion key)
   */
  public record NoteEvent(long tick, long durationTicks, int key, int velocity) {
    public NoteEvent {
      if (tick < 0 || durationTicks <= 0) {
        throw new IllegalArgumentException("a note needs tick >= 0 and a positive duration");
      }
      if (key < 0 || key > 127 || velocity < 1 || velocity > 127) {
        throw new IllegalArgumentException("key or velocity out of range: " + key + ", " + velocity);
      }
    }

    public long endTick() {
      return tick + durationTicks;
    }
  }
}
