package io.songmap.audio.songmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SongMapJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Nested
    class AValidMap {

        @Test
        void validatesAndRoundTrips() {
            SongMap map = SongMapFixtures.twoBarsAt120();

            String json = SongMapJson.write(map);

            assertThat(SongMapJson.read(json)).isEqualTo(map);
            assertThat(json).contains("\"schema\" : \"songmap/v1\"", "\"instrument\" : \"kick\"",
                    "\"createdAt\" : \"2026-11-23T18:00:00Z\"", "\"status\" : \"transcribed\"");
            assertThat(json).doesNotContain("reason");
        }

        @Test
        void skippedLyricsCarryTheirReason() throws Exception {
            SongMap base = SongMapFixtures.twoBarsAt120();
            SongMap map = new SongMap(base.schema(), base.jobId(), base.source(), base.createdAt(),
                    base.durationSeconds(), base.tempo(), base.drums(), base.bass(), base.melody(),
                    SongMap.Lyrics.skipped("whisper model not ready"), new SongMap.Stems(null, null, null, null),
                    base.models());

            JsonNode tree = mapper.readTree(SongMapJson.write(map));

            assertThat(tree.at("/lyrics/reason").asText()).isEqualTo("whisper model not ready");
            assertThat(tree.at("/lyrics/words").size()).isZero();
            assertThat(tree.get("stems").size()).isZero();
        }

        @Test
        void theSchemaOnTheClasspathIsTheOneInSchemasFolder() throws Exception {
            Path repoSchema = Path.of("../../schemas/songmap/v1.schema.json");
            try (var in = SongMapJson.class.getClassLoader().getResourceAsStream(SongMapJson.SCHEMA_RESOURCE)) {
                assertThat(in).isNotNull();
                assertThat(new String(in.readAllBytes())).isEqualTo(Files.readString(repoSchema));
            }
        }
    }

    @Nested
    class AnInvalidMapIsRejected {

        private ObjectNode valid() {
            return (ObjectNode) SongMapJson.toTree(SongMapFixtures.twoBarsAt120());
        }

        @Test
        void unknownDrumInstrument() {
            ObjectNode doc = valid();
            ((ObjectNode) doc.at("/drums/hits/2")).put("instrument", "cowbell");

            assertThat(SongMapJson.validate(doc)).singleElement().asString()
                    .contains("drums.hits[2].instrument").contains("enum");
        }

        @Test
        void negativeTime() {
            ObjectNode doc = valid();
            ((ObjectNode) doc.at("/drums/hits/0")).put("time", -0.5);
            ((ObjectNode) doc.at("/bass/notes/1")).put("start", -1.0);

            assertThat(SongMapJson.validate(doc)).hasSize(2)
                    .anySatisfy(p -> assertThat(p).contains("drums.hits[0].time").contains("minimum"))
                    .anySatisfy(p -> assertThat(p).contains("bass.notes[1].start").contains("minimum"));
        }

        @Test
        void missingField() {
            ObjectNode doc = valid();
            doc.remove("durationSeconds");
            ((ObjectNode) doc.at("/melody/notes/0")).remove("midi");

            List<String> problems = SongMapJson.validate(doc);

            assertThat(problems).hasSize(2)
                    .anySatisfy(p -> assertThat(p).contains("durationSeconds").contains("required"))
                    .anySatisfy(p -> assertThat(p).contains("melody.notes[0]").contains("midi"));
        }

        @Test
        void velocityOutOfRangeAndWrongSchemaId() {
            ObjectNode doc = valid();
            doc.put("schema", "songmap/v0");
            ((ObjectNode) doc.at("/drums/hits/1")).put("velocity", 200);

            assertThat(SongMapJson.validate(doc)).hasSize(2)
                    .anySatisfy(p -> assertThat(p).contains("$.schema"))
                    .anySatisfy(p -> assertThat(p).contains("drums.hits[1].velocity").contains("127"));
        }

        @Test
        void skippedLyricsWithoutReason() {
            ObjectNode doc = valid();
            ((ObjectNode) doc.get("lyrics")).put("status", "skipped");

            assertThat(SongMapJson.validate(doc)).anySatisfy(p -> assertThat(p).contains("reason"));
        }

        @Test
        void noteEndingBeforeItStarts() {
            ObjectNode doc = valid();
            ((ObjectNode) doc.at("/bass/notes/2")).put("end", 0.5);

            assertThat(SongMapJson.validate(doc)).containsExactly("$.bass.notes[2]: end 0.5 is before start 1.0");
        }

        @Test
        void writingAnInvalidMapThrowsWithEveryProblem() {
            SongMap base = SongMapFixtures.twoBarsAt120();
            SongMap bad = new SongMap(base.schema(), "", base.source(), base.createdAt(), -1.0, base.tempo(),
                    base.drums(), base.bass(), base.melody(), base.lyrics(), base.stems(), base.models());

            assertThatThrownBy(() -> SongMapJson.write(bad))
                    .isInstanceOf(InvalidSongMapException.class)
                    .hasMessageContaining("$.jobId")
                    .hasMessageContaining("$.durationSeconds")
                    .satisfies(e -> assertThat(((InvalidSongMapException) e).problems()).hasSize(2));
        }

        @Test
        void readingGarbage() {
            assertThatThrownBy(() -> SongMapJson.read("{not json"))
                    .isInstanceOf(InvalidSongMapException.class).hasMessageContaining("not JSON");
        }
    }
}
