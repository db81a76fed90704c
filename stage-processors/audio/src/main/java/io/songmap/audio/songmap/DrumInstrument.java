package io.songmap.audio.songmap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The drum-kit pieces a Song Map distinguishes. */
public enum DrumInstrument {
    KICK, SNARE, HIHAT, TOM, RIDE, CRASH;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DrumInstrument fromId(String id) {
        for (DrumInstrument instrument : values()) {
            if (instrument.id().equals(id)) {
                return instrument;
            }
        }
        throw new IllegalArgumentException("unknown drum instrument: " + id);
    }
}
