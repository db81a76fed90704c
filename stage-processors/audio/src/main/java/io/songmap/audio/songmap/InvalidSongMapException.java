package io.songmap.audio.songmap;

import java.util.List;

/** A Song Map that does not satisfy {@code songmap/v1}; {@link #problems()} lists every violation found. */
public final class InvalidSongMapException extends RuntimeException {

    private final List<String> problems;

    public InvalidSongMapException(List<String> problems) {
        super("Song Map is not valid songmap/v1: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
