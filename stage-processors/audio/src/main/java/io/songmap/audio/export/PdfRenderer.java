package io.songmap.audio.export;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Engraves a MusicXML score to PDF with MuseScore ({@code musescore3 -o out.pdf in.musicxml}, headless
 * through Qt's offscreen platform). The PDF export is optional: where no MuseScore executable is
 * installed, {@link #isAvailable()} is false and {@link #unavailableReason()} says why. Rendering
 * starts a process and blocks, so it belongs on a worker thread.
 */
public final class PdfRenderer {

    /** Executable names tried on the PATH, in order. */
    public static final List<String> EXECUTABLES = List.of("musescore3", "mscore3", "musescore", "mscore");

    private final Path executable;
    private final String unavailableReason;

    private PdfRenderer(Path executable, String unavailableReason) {
        this.executable = executable;
        this.unavailableReason = unavailableReason;
    }

    /** Looks for MuseScore on the PATH. */
    public static PdfRenderer detect() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String name : EXECUTABLES) {
                for (String dir : path.split(File.pathSeparator)) {
                    Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return new PdfRenderer(candidate, null);
                    }
                }
            }
        }
        return new PdfRenderer(null, "no MuseScore executable (" + String.join(", ", EXECUTABLES)
                + ") on the PATH; install musescore3 to enable the PDF export");
    }

    /** Uses the given MuseScore executable. */
    public static PdfRenderer using(Path executable) {
        if (!Files.isExecutable(executable)) {
            return new PdfRenderer(null, executable + " is not an executable file");
        }
        return new PdfRenderer(executable, null);
    }

    public boolean isAvailable() {
        return executable != null;
    }

    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    public Optional<Path> executable() {
        return Optional.ofNullable(executable);
    }

    /** The PDF engraving of the MusicXML document. */
    public byte[] render(byte[] musicXml, Duration timeout) throws IOException {
        if (executable == null) {
            throw new IllegalStateException("PDF rendering unavailable: " + unavailableReason);
        }
        Path dir = Files.createTempDirectory("songmap-pdf");
        try {
            Path in = dir.resolve("score.musicxml");
            Path out = dir.resolve("score.pdf");
            Path log = dir.resolve("musescore.log");
            Files.write(in, musicXml);
            ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-o", out.toString(), in.toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("QT_QPA_PLATFORM", "offscreen");
            // MuseScore writes its settings and caches under HOME; keep them out of the service's home.
            builder.environment().put("HOME", dir.toString());
            builder.environment().put("XDG_RUNTIME_DIR", dir.toString());
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while MuseScore was rendering", e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IOException("MuseScore did not finish within " + timeout);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(out) || Files.size(out) == 0) {
                throw new IOException("MuseScore failed (exit " + process.exitValue() + "): " + tail(log));
            }
            return Files.readAllBytes(out);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        String text = Files.readString(log);
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
