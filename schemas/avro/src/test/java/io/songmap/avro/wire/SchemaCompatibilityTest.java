package io.songmap.avro.wire;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each schema version can read the one before it and be read by it. */
class SchemaCompatibilityTest {

    @Test
    void every_message_schema_has_a_history() {
        assertThat(BundledSchemas.names()).containsExactly("SubmitJob", "StageTask", "JobEvent");
        for (String name : BundledSchemas.names()) {
            assertThat(BundledSchemas.versions(name)).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void every_version_is_a_distinct_schema_of_the_same_name() {
        for (String name : BundledSchemas.names()) {
            Set<Long> fingerprints = new HashSet<>();
            for (Schema version : BundledSchemas.versions(name)) {
                assertThat(version.getFullName()).isEqualTo("io.songmap.avro." + name);
                assertThat(fingerprints.add(BundledSchemas.fingerprint(version)))
                        .as("%s has two identical versions", name).isTrue();
            }
        }
    }

    @TestFactory
    List<DynamicTest> each_version_is_backward_and_forward_compatible_with_the_previous() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : BundledSchemas.names()) {
            List<Schema> versions = BundledSchemas.versions(name);
            for (int i = 1; i < versions.size(); i++) {
                Schema previous = versions.get(i - 1);
                Schema next = versions.get(i);
                String pair = name + " v" + i + " → v" + (i + 1);
                tests.add(DynamicTest.dynamicTest(pair + ": new reader, old writer (backward)",
                        () -> assertCompatible(next, previous)));
                tests.add(DynamicTest.dynamicTest(pair + ": old reader, new writer (forward)",
                        () -> assertCompatible(previous, next)));
            }
        }
        return tests;
    }

    private static void assertCompatible(Schema reader, Schema writer) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(result.getType())
                .as("%s", result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
}
