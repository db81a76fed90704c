package io.songmap.audio.songmap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether the lyrics stage produced words, was skipped (e.g. no ASR model ready) or failed. */
public enum LyricsStatus {
    TRANSCRIBED, SKIPPED, FAILED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LyricsStatus fromId(String id) {
        for (LyricsStatus status : values()) {
            if (status.id().equals(id)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown lyrics status: " + id);
    }
}
