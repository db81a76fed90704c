package io.songmap.audio.metrics;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared read-only data: {@code $SONGMAP_SHARED} when set, otherwise the {@code shared/}
 * directory beside the repository root (found by walking up from the working directory to the
 * directory that holds {@code .git}).
 */
final class SharedData {

    static final String ENV = "SONGMAP_SHARED";

    private SharedData() {}

    static Path root() {
        String override = System.getenv(ENV);
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override).toAbsolutePath();
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(ENV + "=" + override + " is not a directory");
            }
            return dir;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".git"))) {
                Path shared = dir.resolveSibling("shared");
                if (!Files.isDirectory(shared)) {
                    throw new IllegalStateException("shared data not found: expected " + shared
                            + " beside the repository root " + dir + "; set " + ENV + " to its location");
                }
                return shared;
            }
        }
        throw new IllegalStateException("no repository root (a directory with .git) above " + start
                + "; set " + ENV + " to the shared data directory");
    }

    static Path resolve(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " is missing from the shared data");
        }
        return path;
    }
}
