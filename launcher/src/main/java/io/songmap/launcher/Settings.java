package io.songmap.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's own settings, read once at start from the environment. Every setting has a default;
 * the stage, relay, inference and gateway settings are read by their own modules from the same
 * environment (see {@link #TABLE} for the whole list).
 *
 * @param pgUrl           PostgreSQL URL; empty means "localhost:5432, else a clear message"
 * @param kafkaBootstrap  Kafka bootstrap servers; empty means an in-process broker
 * @param tritonUrl       Triton/KServe gRPC target; empty means the in-process CPU server
 * @param artifactsDir    where the local artifact store keeps files
 * @param tenant          the tenant the all-in-one mode submits jobs as
 */
public record Settings(String pgUrl, String kafkaBootstrap, String tritonUrl, Path artifactsDir, String tenant) {

  /** Every environment variable Songmap reads, with its default and meaning (README's table). */
  public static final List<List<String>> TABLE = List.of(
      List.of("SONGMAP_PG_URL", "(local server on 127.0.0.1:5432, database songmap)",
          "PostgreSQL: postgresql://user:password@host:port/database"),
      List.of("SONGMAP_KAFKA_BOOTSTRAP", "(in-process broker)", "Kafka bootstrap servers"),
      List.of("SONGMAP_TRITON_URL", "(in-process CPU server)", "Triton / KServe v2 gRPC target, host:port"),
      List.of("SONGMAP_ARTIFACTS_DIR", "data/artifacts", "local artifact store directory"),
      List.of("SONGMAP_TENANT", "local", "tenant used by `songmap run`"),
      List.of("SONGMAP_LOG_LEVEL", "WARN", "log level of the launcher's console log"),
      List.of("SONGMAP_LOG_FORMAT", "json for the server roles, text otherwise",
          "log format: json (one object per line) or text"));

  public Settings {
    if (tenant == null || tenant.isBlank()) {
      throw new IllegalArgumentException("SONGMAP_TENANT must not be blank");
    }
  }

  public static Settings fromEnv(Map<String, String> env) {
    return new Settings(
        env.getOrDefault("SONGMAP_PG_URL", "").trim(),
        env.getOrDefault("SONGMAP_KAFKA_BOOTSTRAP", "").trim(),
        env.getOrDefault("SONGMAP_TRITON_URL", "").trim(),
        Path.of(env.getOrDefault("SONGMAP_ARTIFACTS_DIR", "data/artifacts")),
        env.getOrDefault("SONGMAP_TENANT", "local").trim());
  }

  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("PostgreSQL", pgUrl.isEmpty() ? "127.0.0.1:5432 (local)" : Postgres.redact(pgUrl));
    m.put("Kafka", kafkaBootstrap.isEmpty() ? "in-process broker" : kafkaBootstrap);
    m.put("inference", tritonUrl.isEmpty() ? "in-process CPU server" : tritonUrl);
    m.put("artifacts", artifactsDir.toAbsolutePath().toString());
    return m;
  }
}
