package io.songmap.audio.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our metrics against the scores mir_eval computed for its own test inputs (../shared/data/mir_eval-golden). */
class MirEvalGoldenTest {

    private static final double TOLERANCE = 1e-4;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> onsetCases() throws IOException {
        return cases("onset");
    }

    static Stream<String> transcriptionCases() throws IOException {
        return cases("transcription");
    }

    @ParameterizedTest(name = "onset {0}")
    @MethodSource("onsetCases")
    void onsetFMeasureMatchesMirEval(String id) throws IOException {
        Path dir = SharedData.resolve("data/mir_eval-golden/onset");
        double[] reference = column(rows(dir.resolve("ref" + id + ".txt")), 0);
        double[] estimate = column(rows(dir.resolve("est" + id + ".txt")), 0);
        JsonNode expected = JSON.readTree(dir.resolve("output" + id + ".json").toFile());

        Scores scores = OnsetMetrics.fMeasure(reference, estimate, 0.05);

        assertThat(scores.fMeasure()).isCloseTo(expected.get("F-measure").asDouble(), within(TOLERANCE));
        assertThat(scores.precision()).isCloseTo(expected.get("Precision").asDouble(), within(TOLERANCE));
        assertThat(scores.recall()).isCloseTo(expected.get("Recall").asDouble(), within(TOLERANCE));
    }

    @ParameterizedTest(name = "transcription {0}")
    @MethodSource("transcriptionCases")
    void transcriptionScoresMatchMirEval(String id) throws IOException {
        Path dir = SharedData.resolve("data/mir_eval-golden/transcription");
        NoteSet reference = notes(rows(dir.resolve("ref" + id + ".txt")));
        NoteSet estimate = notes(rows(dir.resolve("est" + id + ".txt")));
        JsonNode expected = JSON.readTree(dir.resolve("output" + id + ".json").toFile());

        Map<String, Double> scores = TranscriptionMetrics.evaluate(reference, estimate);

        assertThat(scores.keySet()).containsExactlyInAnyOrderElementsOf(() -> expected.fieldNames());
        expected.fields().forEachRemaining(e -> assertThat(scores.get(e.getKey()))
                .as("%s of case %s", e.getKey(), id)
                .isCloseTo(e.getValue().asDouble(), within(TOLERANCE)));
    }

    private static Stream<String> cases(String kind) throws IOException {
        Path dir = SharedData.resolve("data/mir_eval-golden/" + kind);
        try (Stream<Path> files = Files.list(dir)) {
            List<String> ids = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("output") && n.endsWith(".json"))
                    .map(n -> n.substring("output".length(), n.length() - ".json".length()))
                    .sorted().toList();
            assertThat(ids).as("golden cases in %s", dir).isNotEmpty();
            return ids.stream();
        }
    }

    /** mir_eval.io's text format: whitespace-separated columns, '#' comment lines. */
    private static List<double[]> rows(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("[\\s,]+");
            double[] row = new double[fields.length];
            for (int i = 0; i < fields.length; i++) {
                row[i] = Double.parseDouble(fields[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }

    private static NoteSet notes(List<double[]> rows) {
        return new NoteSet(column(rows, 0), column(rows, 1), column(rows, 2));
    }
}
