package io.songmap.avro.wire;

import io.songmap.avro.JobEvent;
import io.songmap.avro.StageTask;
import io.songmap.avro.SubmitJob;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every version of every message schema this build knows: the earlier ones bundled from
 * {@code src/main/avro-history/<Name>/v<n>.avsc}, the current one from the generated class. A reader
 * resolves any of them by the fingerprint in a message's header.
 *
 * <p>Changing a schema: copy the current {@code src/main/avro/<Name>.avsc} to the next
 * {@code avro-history/<Name>/v<n>.avsc} first, then change it compatibly (new fields with defaults);
 * the compatibility tests check every version against the next.
 */
public final class BundledSchemas {

    private static final String HISTORY = "/io/songmap/avro/history/";

    private static final Map<String, List<Schema>> VERSIONS = load();
    private static final SchemaStore.Cache STORE = new SchemaStore.Cache();

    static {
        VERSIONS.values().forEach(versions -> versions.forEach(STORE::addSchema));
    }

    private BundledSchemas() {
    }

    /** A store holding every version of every schema, by fingerprint; safe to share. */
    public static SchemaStore store() {
        return STORE;
    }

    /** Names of the top-level message schemas: {@code SubmitJob}, {@code StageTask}, {@code JobEvent}. */
    public static List<String> names() {
        return List.copyOf(VERSIONS.keySet());
    }

    /** Every version of the named schema, oldest first; the last is the current one. */
    public static List<Schema> versions(String name) {
        List<Schema> versions = VERSIONS.get(name);
        if (versions == null) {
            throw new IllegalArgumentException("no bundled schema named " + name);
        }
        return versions;
    }

    /** The named schema as of {@code version} (1 is the first). */
    public static Schema version(String name, int version) {
        List<Schema> versions = versions(name);
        if (version < 1 || version > versions.size()) {
            throw new IllegalArgumentException(name + " has versions 1 to " + versions.size() + ", not " + version);
        }
        return versions.get(version - 1);
    }

    /** The CRC-64-AVRO fingerprint of a schema's parsing canonical form, as in message headers. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static Map<String, List<Schema>> load() {
        Map<String, List<Schema>> versions = new LinkedHashMap<>();
        versions.put("SubmitJob", withHistory("SubmitJob", SubmitJob.getClassSchema()));
        versions.put("StageTask", withHistory("StageTask", StageTask.getClassSchema()));
        versions.put("JobEvent", withHistory("JobEvent", JobEvent.getClassSchema()));
        return versions;
    }

    private static List<Schema> withHistory(String name, Schema current) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = HISTORY + name + "/v" + version + ".avsc";
            try (InputStream in = BundledSchemas.class.getResourceAsStream(resource)) {
                if (in == null) {
                    break;
                }
                // A parser per file: versions of one schema share their full names.
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled schema " + resource, e);
            }
        }
        versions.add(current);
        return List.copyOf(versions);
    }
}
