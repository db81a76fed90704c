package io.songmap.audio.export;

import io.songmap.audio.songmap.DrumInstrument;

/**
 * How each kit piece is played back and written: its General MIDI percussion key (channel 10) and
 * its place on a five-line percussion staff, following the common drum-set notation legend (kick
 * in the bottom space, snare on the third space, cymbals with x noteheads above the staff, the hands
 * stem up and the feet stem down).
 */
public enum DrumKit {
    KICK(DrumInstrument.KICK, 36, "Bass Drum 1", "F", 4, "normal", Voice.FEET),
    SNARE(DrumInstrument.SNARE, 38, "Acoustic Snare", "C", 5, "normal", Voice.HANDS),
    HIHAT(DrumInstrument.HIHAT, 42, "Closed Hi-Hat", "G", 5, "x", Voice.HANDS),
    TOM(DrumInstrument.TOM, 48, "Hi-Mid Tom", "D", 5, "normal", Voice.HANDS),
    RIDE(DrumInstrument.RIDE, 51, "Ride Cymbal 1", "F", 5, "x", Voice.HANDS),
    CRASH(DrumInstrument.CRASH, 49, "Crash Cymbal 1", "A", 5, "x", Voice.HANDS);

    /** Hands are written as voice 1 with stems up, feet as voice 2 with stems down. */
    public enum Voice {
        HANDS(1, "up"), FEET(2, "down");

        public final int number;
        public final String stem;

        Voice(int number, String stem) {
            this.number = number;
            this.stem = stem;
        }
    }

    public final DrumInstrument instrument;
    /** General MIDI percussion key (0-based note number). */
    public final int gmKey;
    public final String gmName;
    public final String displayStep;
    public final int displayOctave;
    public final String notehead;
    public final Voice voice;

    DrumKit(DrumInstrument instrument, int gmKey, String gmName, String displayStep, int displayOctave,
            String notehead, Voice voice) {
        this.instrument = instrument;
        this.gmKey = gmKey;
        this.gmName = gmName;
        this.displayStep = displayStep;
        this.displayOctave = displayOctave;
        this.notehead = notehead;
        this.voice = voice;
    }

    public static DrumKit of(DrumInstrument instrument) {
        return switch (instrument) {
            case KICK -> KICK;
            case SNARE -> SNARE;
            case HIHAT -> HIHAT;
            case TOM -> TOM;
            case RIDE -> RIDE;
            case CRASH -> CRASH;
        };
    }

    /** Diatonic staff position (C4 = 28), used to order chord members from the bottom up. */
    public int staffPosition() {
        return displayOctave * 7 + "CDEFGAB".indexOf(displayStep);
    }
}
