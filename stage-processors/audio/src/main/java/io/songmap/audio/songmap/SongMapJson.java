package io.songmap.audio.songmap;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and writes Song Map JSON. Every map is checked against {@code schemas/songmap/v1.schema.json}
 * (carried on the classpath) and against the rules a JSON Schema cannot express (a note or word ends
 * at or after it starts) before it is written, so no invalid map leaves the package stage.
 */
public final class SongMapJson {

    /** Classpath location of the schema; the build copies it from {@code schemas/songmap/}. */
    public static final String SCHEMA_RESOURCE = "schemas/songmap/v1.schema.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new SimpleModule("songmap-time")
                    .addSerializer(Instant.class, new InstantSerializer())
                    .addDeserializer(Instant.class, new InstantDeserializer()))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final JsonSchema SCHEMA = loadSchema();

    private SongMapJson() {}

    /** The map as validated JSON text (UTF-8 when encoded). */
    public static String write(SongMap map) {
        JsonNode tree = toTree(map);
        requireValid(tree);
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Song Map tree could not be serialized", e);
        }
    }

    public static byte[] writeBytes(SongMap map) {
        return write(map).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses and validates a Song Map document. */
    public static SongMap read(String json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSongMapException(List.of("not JSON: " + e.getOriginalMessage()));
        }
        requireValid(tree);
        try {
            return MAPPER.treeToValue(tree, SongMap.class);
        } catch (JsonProcessingException e) {
            throw new InvalidSongMapException(List.of(e.getOriginalMessage()));
        }
    }

    public static JsonNode toTree(SongMap map) {
        return MAPPER.valueToTree(map);
    }

    /** Every problem with the document, as {@code <JSON path>: <what is wrong>}; empty when it is valid. */
    public static List<String> validate(JsonNode document) {
        List<String> problems = new ArrayList<>();
        SCHEMA.validate(document).stream()
                .sorted(Comparator.comparing(ValidationMessage::getMessage))
                .forEach(message -> problems.add(message.getMessage()));
        if (problems.isEmpty()) {
            checkIntervals(document.path("bass").path("notes"), "$.bass.notes", problems);
            checkIntervals(document.path("melody").path("notes"), "$.melody.notes", problems);
            checkIntervals(document.path("lyrics").path("words"), "$.lyrics.words", problems);
        }
        return problems;
    }

    public static void requireValid(JsonNode document) {
        List<String> problems = validate(document);
        if (!problems.isEmpty()) {
            throw new InvalidSongMapException(problems);
        }
    }

    private static void checkIntervals(JsonNode items, String path, List<String> problems) {
        for (int i = 0; i < items.size(); i++) {
            double start = items.get(i).path("start").asDouble();
            double end = items.get(i).path("end").asDouble();
            if (end < start) {
                problems.add(path + "[" + i + "]: end " + end + " is before start " + start);
            }
        }
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = SongMapJson.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class InstantSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantDeserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Instant.parse(p.getValueAsString());
        }
    }
}
