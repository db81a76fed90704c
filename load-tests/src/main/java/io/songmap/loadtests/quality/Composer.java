package io.songmap.loadtests.quality;

import io.songmap.loadtests.quality.Composition.NoteEvent;
import io.songmap.loadtests.quality.Composition.Part;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a seeded random song in 4/4: a drum groove (kick, snare, closed and open hi-hat, a ride
 * section now and then, crashes at section starts and fills at phrase ends), a bass line on the
 * chord roots, a monophonic melody in the key, and optionally chord pads. The same seed always
 * gives the same song.
 *
 * <p>The parts are written to be transcribable by a person: one note at a time in bass and melody,
 * with a short gap between notes, no ghost notes, and a closing hit so the song ends cleanly.
 */
public final class Composer {

  /** MIDI resolution: a sixteenth note is 240 ticks. */
  public static final int TICKS_PER_QUARTER = 960;
  public static final int MIN_BPM = 80;
  public static final int MAX_BPM = 160;
  /** GM programs, 0-based: Electric Bass (finger), Electric Bass (pick). */
  static final int[] BASS_PROGRAMS = {33, 34};
  /** GM programs, 0-based: Lead 1 (square), Lead 2 (sawtooth), Alto Sax, Tenor Sax, Flute. */
  static final int[] MELODY_PROGRAMS = {80, 81, 65, 66, 73};
  /** GM programs, 0-based: Pad 2 (warm), String Ensemble 1, Electric Piano 1. */
  static final int[] PAD_PROGRAMS = {89, 48, 4};

  private static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11};
  private static final int[] MINOR = {0, 2, 3, 5, 7, 8, 10};
  private static final String[] PITCH_CLASSES = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  /** Chord progressions as scale degrees (0 = tonic), one chord per bar. */
  private static final int[][] MAJOR_PROGRESSIONS = {{0, 4, 5, 3}, {0, 3, 4, 3}, {5, 3, 0, 4}, {0, 5, 3, 4},
      {1, 4, 0, 0}, {0, 3, 0, 4}};
  private static final int[][] MINOR_PROGRESSIONS = {{0, 5, 2, 6}, {0, 3, 4, 0}, {0, 6, 5, 6}, {0, 3, 6, 2},
      {0, 5, 3, 4}};
  /** Kick patterns over the sixteen steps of a bar. */
  private static final String[] KICKS = {"x.......x.......", "x.......x.x.....", "x.....x.x.......",
      "x.x.....x.......", "x......x..x.....", "x.......x.....x.", "x..x....x.......", "x.....x...x....."};
  private static final String FOUR_ON_THE_FLOOR = "x...x...x...x...";
  private static final int BARS_PER_PHRASE = 4;
  private static final int BARS_PER_SECTION = 8;
  /** The melody spans a tenth above its lowest tonic. */
  private static final int MELODY_TOP_DEGREE = 9;
  private static final int STEPS = Timing.BEATS_PER_BAR * Timing.STEPS_PER_BEAT;

  /**
   * What to generate.
   *
   * @param seconds length of the song, lead-in and closing ring included
   * @param pads whether to add a chord-pad part (the "other" stem)
   * @param onsetLatencySeconds the renderer's constant onset latency, folded into the ground truth
   */
  public record Options(double seconds, boolean pads, double onsetLatencySeconds) {
    public Options {
      if (!(seconds >= 10 && seconds <= 900)) {
        throw new IllegalArgumentException("seconds must be in 10..900: " + seconds);
      }
    }

    public static Options of(double seconds) {
      return new Options(seconds, false, FluidSynth.ONSET_LATENCY_SECONDS);
    }

    public Options withPads(boolean on) {
      return new Options(seconds, on, onsetLatencySeconds);
    }
  }

  private final SplittableRandom rng;
  private final Timing timing;
  private final int bars;
  private final int tonic;
  private final int[] scale;
  private final int[][] progressions;

  private Composer(long seed, Options options) {
    this.rng = new SplittableRandom(seed);
    int bpm = MIN_BPM + rng.nextInt(MAX_BPM - MIN_BPM + 1);
    this.timing = Timing.atBpm(bpm, TICKS_PER_QUARTER, options.onsetLatencySeconds());
    double leadIn = timing.ticksToSeconds(timing.leadInTicks());
    // The closing downbeat leaves at least 1.5 s to ring out before the end.
    this.bars = 1 + (int) Math.floor((options.seconds() - leadIn - 1.5) / timing.secondsPerBar());
    if (bars < 3) {
      throw new IllegalArgumentException(options.seconds() + " s hold fewer than three bars at " + bpm + " BPM");
    }
    this.tonic = rng.nextInt(12);
    boolean minor = rng.nextBoolean();
    this.scale = minor ? MINOR : MAJOR;
    int[][] library = minor ? MINOR_PROGRESSIONS : MAJOR_PROGRESSIONS;
    this.progressions = new int[][] {library[rng.nextInt(library.length)], library[rng.nextInt(library.length)]};
  }

  public static Composition compose(long seed, Options options) {
    Composer c = new Composer(seed, options);
    long endTick = Math.round(options.seconds() * 1_000_000.0 * TICKS_PER_QUARTER / c.timing.microsPerQuarter());
    String key = PITCH_CLASSES[c.tonic] + (c.scale == MINOR ? " minor" : " major");
    DrumPlan drums = c.drums();
    Part bass = c.bass(drums, endTick);
    Part melody = c.melody(endTick);
    Optional<Part> pads = options.pads() ? Optional.of(c.pads(endTick)) : Optional.empty();
    return new Composition(seed, c.timing, c.bars, endTick, key, drums.part, bass, melody, pads);
  }

  /** The chord of a bar as a scale degree. */
  int chordDegree(int bar) {
    int section = bar / BARS_PER_SECTION;
    return progressions[section % 2][bar % BARS_PER_PHRASE];
  }

  /** MIDI pitch of scale degree {@code degree} (any integer) above {@code base}. */
  static int pitch(int base, int[] scale, int degree) {
    return base + 12 * Math.floorDiv(degree, 7) + scale[Math.floorMod(degree, 7)];
  }

  private boolean closing(int bar) {
    return bar == bars - 1;
  }

  // ---- drums ----

  /** The drum part and, per bar, the steps where the groove's kick falls and where a fill starts. */
  private record DrumPlan(Part part, List<boolean[]> kicks, int[] fillStart) {}

  private DrumPlan drums() {
    boolean sixteenthHats = timing.bpm() <= 110 && rng.nextDouble() < 0.4;
    boolean fourOnTheFloor = rng.nextDouble() < 0.15;
    boolean[] mainKick = steps(fourOnTheFloor ? FOUR_ON_THE_FLOOR : KICKS[rng.nextInt(KICKS.length)]);
    boolean[] altKick = steps(fourOnTheFloor ? FOUR_ON_THE_FLOOR : KICKS[rng.nextInt(KICKS.length)]);
    // Fills in sixteenths only where they stay at least ~100 ms apart.
    boolean sixteenthFills = timing.bpm() <= 140;
    List<NoteEvent> events = new ArrayList<>();
    List<boolean[]> kicks = new ArrayList<>();
    int[] fillStart = new int[bars];
    boolean crashNext = true;
    boolean rideSection = false;
    for (int bar = 0; bar < bars; bar++) {
      if (closing(bar)) {
        hit(events, bar, 0, GmDrums.CRASH, 110, 125);
        hit(events, bar, 0, GmDrums.KICK, 105, 125);
        kicks.add(steps("x..............."));
        fillStart[bar] = STEPS;
        break;
      }
      if (bar % BARS_PER_SECTION == 0) {
        rideSection = bar > 0 && rng.nextDouble() < 0.25;
      }
      boolean phraseEnd = bar % BARS_PER_PHRASE == BARS_PER_PHRASE - 1 || bar == bars - 2;
      boolean sectionEnd = bar % BARS_PER_SECTION == BARS_PER_SECTION - 1 || bar == bars - 2;
      boolean fill = phraseEnd && rng.nextDouble() < (sectionEnd ? 0.85 : 0.45);
      int fillFrom = fill ? (rng.nextDouble() < 0.6 ? 12 : 8) : STEPS;
      fillStart[bar] = fillFrom;
      boolean[] kick = phraseEnd ? altKick : mainKick;
      kicks.add(kick);
      boolean crash = crashNext;
      crashNext = fill;
      if (crash) {
        hit(events, bar, 0, rng.nextBoolean() ? GmDrums.CRASH : GmDrums.CRASH_2, 100, 122);
      }
      boolean openHatAt14 = !fourOnTheFloor && rng.nextDouble() < 0.2;
      for (int step = 0; step < fillFrom; step++) {
        if (kick[step]) {
          hit(events, bar, step, GmDrums.KICK, step % 4 == 0 ? 100 : 88, 120);
        }
        if (step == 4 || step == 12) {
          hit(events, bar, step, GmDrums.SNARE, 98, 122);
        } else if ((step == 14 || step == 7) && rng.nextDouble() < 0.08) {
          hit(events, bar, step, GmDrums.SNARE, 80, 100);
        }
        if (crash && step == 0) {
          continue;
        }
        if (rideSection) {
          if (step % 2 == 0) {
            hit(events, bar, step, GmDrums.RIDE, step % 4 == 0 ? 85 : 70, step % 4 == 0 ? 105 : 90);
          }
        } else if (fourOnTheFloor) {
          if (step % 4 == 2) {
            hit(events, bar, step, GmDrums.OPEN_HIHAT, 80, 100);
          } else if (step % 2 == 0 || sixteenthHats) {
            hit(events, bar, step, GmDrums.CLOSED_HIHAT, 60, 85);
          }
        } else if (step % 2 == 0 || sixteenthHats) {
          int key = step == 14 && openHatAt14 ? GmDrums.OPEN_HIHAT : GmDrums.CLOSED_HIHAT;
          boolean accent = step % 4 == 0;
          hit(events, bar, step, key, accent ? 80 : 58, accent ? 105 : 82);
        }
      }
      if (fill) {
        fill(events, bar, fillFrom, sixteenthFills);
      }
    }
    events.sort(Comparator.comparingLong(NoteEvent::tick).thenComparingInt(NoteEvent::key));
    return new DrumPlan(new Part("drums", GmDrums.CHANNEL, 0, 64, events), kicks, fillStart);
  }

  /** A fill from {@code from} to the end of the bar: snare, then down the toms, louder as it goes. */
  private void fill(List<NoteEvent> events, int bar, int from, boolean sixteenths) {
    int[] voices = {GmDrums.SNARE, GmDrums.HIGH_TOM, GmDrums.HI_MID_TOM, GmDrums.LOW_TOM, GmDrums.HIGH_FLOOR_TOM};
    int stride = sixteenths && rng.nextBoolean() ? 1 : 2;
    int n = (STEPS - from) / stride;
    boolean allSnare = rng.nextDouble() < 0.25;
    for (int i = 0; i < n; i++) {
      int step = from + i * stride;
      int voice = allSnare ? GmDrums.SNARE : voices[Math.min(voices.length - 1, i * voices.length / n)];
      int base = 92 + 25 * i / n;
      hit(events, bar, step, voice, base, Math.min(127, base + 12));
      if (i == 0) {
        hit(events, bar, step, GmDrums.KICK, 95, 115);
      }
    }
  }

  private void hit(List<NoteEvent> events, int bar, int step, int key, int minVelocity, int maxVelocity) {
    // A few milliseconds of human timing; the ground truth follows the played tick.
    long jitter = rng.nextInt(11) - 5;
    long tick = Math.max(0, timing.tick(bar, step) + jitter);
    events.add(new NoteEvent(tick, timing.ticksPerStep(), key, between(minVelocity, maxVelocity)));
  }

  // ---- bass ----

  private Part bass(DrumPlan drums, long endTick) {
    int program = BASS_PROGRAMS[rng.nextInt(BASS_PROGRAMS.length)];
    int root = 28 + Math.floorMod(tonic - 4, 12); // E1..D#2
    int style = rng.nextInt(4);
    boolean[] syncopated = steps(rng.nextBoolean() ? "x..x..x.x..x..x." : "x..x....x.x.x.x.");
    double gate = 0.6 + 0.3 * rng.nextDouble();
    List<NoteEvent> events = new ArrayList<>();
    for (int bar = 0; bar < bars; bar++) {
      int chordRoot = bassRoot(root, chordDegree(bar));
      if (closing(bar)) {
        long tick = timing.tick(bar, 0);
        events.add(new NoteEvent(tick, Math.min(timing.ticksPerBar(), endTick - tick), chordRoot, between(95, 110)));
        break;
      }
      List<Integer> onsets = new ArrayList<>();
      for (int step = 0; step < STEPS; step++) {
        boolean on = switch (style) {
          case 0 -> step % 2 == 0;
          case 1 -> drums.kicks.get(bar)[step] || step == 0;
          case 2 -> step % 4 == 0;
          default -> syncopated[step];
        };
        if (on && step < drums.fillStart[bar] && (onsets.isEmpty() || step - onsets.get(onsets.size() - 1) >= 2)) {
          onsets.add(step);
        }
      }
      int nextRoot = bassRoot(root, chordDegree(bar + 1));
      for (int i = 0; i < onsets.size(); i++) {
        int step = onsets.get(i);
        int next = i + 1 < onsets.size() ? onsets.get(i + 1) : STEPS;
        int key;
        if (i == 0) {
          key = chordRoot;
        } else if (i == onsets.size() - 1 && next - step <= 4 && rng.nextDouble() < 0.3) {
          key = nextRoot + (rng.nextBoolean() ? 2 : -1); // leading into the next chord
        } else if (style == 2) {
          int[] walk = {0, 7, 12, 7};
          key = chordRoot + walk[step / 4];
        } else {
          double r = rng.nextDouble();
          key = r < 0.6 ? chordRoot : r < 0.8 ? chordRoot + 7 : chordRoot + 12;
        }
        long duration = Math.max(timing.ticksPerStep(), Math.round((next - step) * timing.ticksPerStep() * gate));
        events.add(new NoteEvent(timing.tick(bar, step), duration, key, between(88, 112)));
      }
    }
    return new Part("bass", 0, program, 64, events);
  }

  /** The chord root in the bass register, E1 (28) to E2 (40). */
  private int bassRoot(int root, int chord) {
    int key = pitch(root, scale, chord);
    return key > 40 ? key - 12 : key;
  }

  // ---- melody ----

  private Part melody(long endTick) {
    int program = MELODY_PROGRAMS[rng.nextInt(MELODY_PROGRAMS.length)];
    int base = 60 + tonic > 66 ? 48 + tonic : 60 + tonic;
    boolean sixteenths = timing.bpm() <= 105;
    int firstBar = bars > 6 && rng.nextBoolean() ? 2 : 0;
    List<int[]> rhythmA = phraseRhythm(sixteenths);
    List<int[]> rhythmB = phraseRhythm(sixteenths);
    List<NoteEvent> events = new ArrayList<>();
    int degree = 7 + rng.nextInt(3) * 2 - 2; // around the octave of the tonic
    int lastKey = -1;
    int repeats = 0;
    for (int bar = firstBar; bar < bars - 1; bar += 2) {
      int phrase = (bar - firstBar) / 2;
      List<int[]> rhythm = phrase % 2 == 0 ? rhythmA : rhythmB;
      for (int[] note : rhythm) {
        int step = note[0];
        int length = note[1];
        int noteBar = bar + step / STEPS;
        if (timing.tick(bar, step + length) > timing.tick(bars - 1, 0)) {
          break; // the closing bar belongs to the closing note
        }
        degree = clamp(degree + stepInterval(), 0, MELODY_TOP_DEGREE);
        if (step % 8 == 0) {
          degree = nearestChordTone(degree, chordDegree(noteBar));
        }
        int key = pitch(base, scale, degree);
        repeats = key == lastKey ? repeats + 1 : 0;
        if (repeats >= 2) {
          degree = clamp(degree + (degree > 6 ? -1 : 1), 0, MELODY_TOP_DEGREE);
          key = pitch(base, scale, degree);
          repeats = 0;
        }
        lastKey = key;
        double gate = 0.8 + 0.15 * rng.nextDouble();
        long duration = Math.round(length * timing.ticksPerStep() * gate);
        events.add(new NoteEvent(timing.tick(bar, step), duration, key, between(92, 115)));
      }
    }
    long closingTick = timing.tick(bars - 1, 0);
    int closingKey = pitch(base, scale, nearestChordTone(degree, chordDegree(bars - 1)));
    events.add(new NoteEvent(closingTick, Math.min(timing.ticksPerBar(), endTick - closingTick), closingKey,
        between(92, 110)));
    return new Part("melody", 1, program, 64, events);
  }

  /**
   * The notes of a two-bar phrase as {step, length} pairs (steps from the phrase start); the
   * phrase breathes at its end with a rest of at least a beat.
   */
  private List<int[]> phraseRhythm(boolean sixteenths) {
    int[][] cells = sixteenths
        ? new int[][] {{4}, {2, 2}, {6, 2}, {8}, {2, 4, 2}, {3, 1}, {-2, 2}, {-4}}
        : new int[][] {{4}, {2, 2}, {6, 2}, {8}, {2, 4, 2}, {-2, 2}, {-4}};
    int length = 2 * STEPS - 4 - 4 * rng.nextInt(2);
    List<int[]> notes = new ArrayList<>();
    int step = 0;
    while (step < length) {
      int[] cell = cells[rng.nextInt(cells.length)];
      int cellLength = 0;
      for (int d : cell) {
        cellLength += Math.abs(d);
      }
      if (step + cellLength > length) {
        cell = new int[] {length - step};
      }
      for (int d : cell) {
        if (d > 0) {
          notes.add(new int[] {step, d});
        }
        step += Math.abs(d);
      }
    }
    return notes;
  }

  /** A melodic interval in scale steps: mostly steps, some skips, now and then a leap. */
  private int stepInterval() {
    double r = rng.nextDouble();
    if (r < 0.30) {
      return 1;
    } else if (r < 0.60) {
      return -1;
    } else if (r < 0.72) {
      return 2;
    } else if (r < 0.84) {
      return -2;
    } else if (r < 0.90) {
      return 0;
    } else {
      return rng.nextBoolean() ? 4 : -3;
    }
  }

  /** The chord tone (root, third or fifth of {@code chord}) nearest to {@code degree}. */
  static int nearestChordTone(int degree, int chord) {
    int best = degree;
    int bestDistance = Integer.MAX_VALUE;
    for (int d = degree - 3; d <= degree + 3; d++) {
      int relative = Math.floorMod(d - chord, 7);
      if ((relative == 0 || relative == 2 || relative == 4) && Math.abs(d - degree) < bestDistance) {
        best = d;
        bestDistance = Math.abs(d - degree);
      }
    }
    return best;
  }

  // ---- pads ----

  private Part pads(long endTick) {
    int program = PAD_PROGRAMS[rng.nextInt(PAD_PROGRAMS.length)];
    int base = 48 + tonic;
    List<NoteEvent> events = new ArrayList<>();
    for (int bar = 0; bar < bars; bar++) {
      int chord = chordDegree(bar);
      long tick = timing.tick(bar, 0);
      long duration = closing(bar) ? Math.min(timing.ticksPerBar(), endTick - tick)
          : timing.ticksPerBar() - timing.ticksPerStep() / 2;
      for (int tone : new int[] {0, 2, 4}) {
        int key = pitch(base, scale, chord + tone);
        while (key > 67) {
          key -= 12;
        }
        while (key < 52) {
          key += 12;
        }
        events.add(new NoteEvent(tick, duration, key, between(55, 70)));
      }
      if (closing(bar)) {
        break;
      }
    }
    events.sort(Comparator.comparingLong(NoteEvent::tick).thenComparingInt(NoteEvent::key));
    return new Part("other", 2, program, 64, events);
  }

  // ---- helpers ----

  private int between(int min, int max) {
    return min + rng.nextInt(max - min + 1);
  }

  private static int clamp(int v, int min, int max) {
    return v < min ? min + (min - v) : v > max ? max - (v - max) : v;
  }

  static boolean[] steps(String pattern) {
    boolean[] s = new boolean[pattern.length()];
    for (int i = 0; i < s.length; i++) {
      s[i] = pattern.charAt(i) == 'x';
    }
    return s;
  }
}
