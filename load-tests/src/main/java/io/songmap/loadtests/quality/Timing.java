package io.songmap.loadtests.quality;

/**
 * The time grid of a generated song: 4/4 at one constant tempo, as a Standard MIDI File states it.
 * A MIDI file stores the tempo as whole microseconds per quarter note, so the tempo is defined by
 * that integer and every time is computed from it: the ground truth then agrees with what the
 * synthesizer plays to the sample, not only to the rounding of a BPM figure.
 *
 * @param ticksPerQuarter MIDI resolution (PPQ)
 * @param microsPerQuarter the tempo as written in the file's set-tempo event
 * @param leadInTicks silence before the first downbeat
 * @param onsetLatencySeconds how much later than its MIDI time a rendered note starts to sound
 */
public record Timing(int ticksPerQuarter, int microsPerQuarter, long leadInTicks, double onsetLatencySeconds) {

  public static final int BEATS_PER_BAR = 4;
  public static final int STEPS_PER_BEAT = 4;

  public Timing {
    if (ticksPerQuarter < STEPS_PER_BEAT || ticksPerQuarter % STEPS_PER_BEAT != 0) {
      throw new IllegalArgumentException("ticksPerQuarter must be a positive multiple of 4: " + ticksPerQuarter);
    }
    if (microsPerQuarter <= 0 || microsPerQuarter > 0xFFFFFF) {
      throw new IllegalArgumentException("microsPerQuarter out of the MIDI range: " + microsPerQuarter);
    }
    if (leadInTicks < 0) {
      throw new IllegalArgumentException("leadInTicks must be >= 0: " + leadInTicks);
    }
    if (!(onsetLatencySeconds >= 0 && onsetLatencySeconds < 0.1)) {
      throw new IllegalArgumentException("onsetLatencySeconds out of range: " + onsetLatencySeconds);
    }
  }

  /** The grid nearest to {@code bpm}, with a lead-in of one beat. */
  public static Timing atBpm(double bpm, int ticksPerQuarter, double onsetLatencySeconds) {
    if (!(bpm >= 20 && bpm <= 400)) {
      throw new IllegalArgumentException("bpm out of range 20..400: " + bpm);
    }
    return new Timing(ticksPerQuarter, (int) Math.round(60_000_000.0 / bpm), ticksPerQuarter, onsetLatencySeconds);
  }

  /** The tempo exactly as the MIDI file plays it. */
  public double bpm() {
    return 60_000_000.0 / microsPerQuarter;
  }

  public long ticksPerStep() {
    return ticksPerQuarter / STEPS_PER_BEAT;
  }

  public long ticksPerBar() {
    return (long) ticksPerQuarter * BEATS_PER_BAR;
  }

  public double secondsPerBar() {
    return ticksToSeconds(ticksPerBar());
  }

  /** The tick of a sixteenth-note step counted from the first downbeat ({@code step} may exceed a bar). */
  public long tick(int bar, int step) {
    return leadInTicks + bar * ticksPerBar() + step * ticksPerStep();
  }

  /** Seconds spanned by {@code ticks} at this tempo. */
  public double ticksToSeconds(long ticks) {
    return ticks * (double) microsPerQuarter / (ticksPerQuarter * 1_000_000.0);
  }

  /** When the synthesizer receives an event at {@code tick}: its MIDI time. */
  public double midiSeconds(long tick) {
    return ticksToSeconds(tick);
  }

  /** When a note sent at {@code tick} is heard in the rendered audio: the ground-truth onset. */
  public double audioSeconds(long tick) {
    return midiSeconds(tick) + onsetLatencySeconds;
  }
}
