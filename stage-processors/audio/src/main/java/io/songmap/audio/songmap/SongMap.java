package io.songmap.audio.songmap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.songmap.audio.notes.Note;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Song Map, schema {@value #SCHEMA_ID}: everything the pipeline found in one song. Its JSON form
 * is defined by {@code schemas/songmap/v1.schema.json}; {@link SongMapJson} writes and checks it.
 */
@JsonPropertyOrder({"schema", "jobId", "source", "createdAt", "durationSeconds", "tempo", "drums", "bass",
        "melody", "lyrics", "stems", "models"})
public record SongMap(
        String schema,
        String jobId,
        Source source,
        Instant createdAt,
        double durationSeconds,
        Tempo tempo,
        Drums drums,
        NoteTrack bass,
        NoteTrack melody,
        Lyrics lyrics,
        Stems stems,
        Map<String, ModelRef> models) {

    public static final String SCHEMA_ID = "songmap/v1";

    public SongMap {
        models = models == null ? Map.of() : Map.copyOf(models);
    }

    /** A Song Map with the current schema id. */
    public static SongMap of(String jobId, Source source, Instant createdAt, double durationSeconds, Tempo tempo,
            Drums drums, NoteTrack bass, NoteTrack melody, Lyrics lyrics, Stems stems, Map<String, ModelRef> models) {
        return new SongMap(SCHEMA_ID, jobId, source, createdAt, durationSeconds, tempo, drums, bass, melody, lyrics,
                stems, models);
    }

    /** The uploaded file: its original name and the SHA-256 of its bytes (lower-case hex). */
    public record Source(String name, String sha256) {}

    /** Tempo in beats per minute and the beat times in seconds. */
    public record Tempo(double bpm, List<Double> beats) {
        public Tempo {
            beats = beats == null ? List.of() : List.copyOf(beats);
        }
    }

    public record Drums(List<DrumHit> hits) {
        public Drums {
            hits = hits == null ? List.of() : List.copyOf(hits);
        }
    }

    public record NoteTrack(List<Note> notes) {
        public NoteTrack {
            notes = notes == null ? List.of() : List.copyOf(notes);
        }
    }

    /** Timed lyrics; when they were skipped or failed, {@code reason} says why and {@code words} is empty. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"status", "reason", "words"})
    public record Lyrics(LyricsStatus status, String reason, List<Word> words) {
        public Lyrics {
            words = words == null ? List.of() : List.copyOf(words);
        }

        public static Lyrics transcribed(List<Word> words) {
            return new Lyrics(LyricsStatus.TRANSCRIBED, null, words);
        }

        public static Lyrics skipped(String reason) {
            return new Lyrics(LyricsStatus.SKIPPED, reason, List.of());
        }

        public static Lyrics failed(String reason) {
            return new Lyrics(LyricsStatus.FAILED, reason, List.of());
        }
    }

    public record Word(double start, double end, String text) {}

    /** References to the separated stems in the artifact store; a stem that was not produced is null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stems(ArtifactRef drums, ArtifactRef bass, ArtifactRef other, ArtifactRef vocals) {}

    public record ArtifactRef(String uri, String sha256) {}

    /** The model a stage used, for reproducing or reprocessing a map. */
    public record ModelRef(String name, String version) {}
}
