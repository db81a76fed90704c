package io.songmap.loadtests.quality;

import io.songmap.audio.songmap.DrumInstrument;

/** General MIDI percussion keys (channel 10) the generator plays, and the Song Map piece each one is. */
public final class GmDrums {
  /** Channel 10 counted from 0. */
  public static final int CHANNEL = 9;

  public static final int KICK = 36;
  public static final int SNARE = 38;
  public static final int CLOSED_HIHAT = 42;
  public static final int PEDAL_HIHAT = 44;
  public static final int OPEN_HIHAT = 46;
  public static final int LOW_FLOOR_TOM = 41;
  public static final int HIGH_FLOOR_TOM = 43;
  public static final int LOW_TOM = 45;
  public static final int LOW_MID_TOM = 47;
  public static final int HI_MID_TOM = 48;
  public static final int HIGH_TOM = 50;
  public static final int CRASH = 49;
  public static final int CRASH_2 = 57;
  public static final int RIDE = 51;

  private GmDrums() {}

  /** The kit piece a GM percussion key sounds like. */
  public static DrumInstrument instrument(int key) {
    return switch (key) {
      case 35, 36 -> DrumInstrument.KICK;
      case 37, 38, 39, 40 -> DrumInstrument.SNARE;
      case 42, 44, 46 -> DrumInstrument.HIHAT;
      case 41, 43, 45, 47, 48, 50 -> DrumInstrument.TOM;
      case 49, 52, 55, 57 -> DrumInstrument.CRASH;
      case 51, 53, 59 -> DrumInstrument.RIDE;
      default -> throw new IllegalArgumentException("no kit piece for GM percussion key " + key);
    };
  }
}
