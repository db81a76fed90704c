package io.songmap.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Helm chart with Helm's own libraries and checks what Kubernetes would receive: one Deployment per
 * stage running that stage, KEDA scaling on each stage's consumer group, Triton on a GPU or the CPU server, the
 * artifact volume or S3, and only environment variables that Songmap actually reads.
 */
class HelmChartTest {
  private static final Path CHART = Path.of("helm", "songmap");
  private static final List<String> STAGES = List.of("ingest", "separate", "drums", "melody_bass", "lyrics", "package");
  private static final String PG = "postgresql://songmap:secret@pg:5432/songmap";

  @TempDir
  Path tmp;

  @Test
  void lintsCleanWithTheValuesAnOperatorMustSet() throws IOException {
    Path chart = copyChart();
    Path values = chart.resolve("values.yaml");
    Files.writeString(values, Files.readString(values).replace("pgUrl: \"\"", "pgUrl: \"" + PG + "\""));
    LintResult result = new Helm(chart).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void defaultsDeployGatewayRelayTritonAndOneAutoscaledProcessorPerStage() {
    List<Map<String, Object>> docs = render(Map.of());

    Map<String, Map<String, Object>> deployments = byName(docs, "Deployment");
    assertThat(deployments.keySet()).containsExactlyInAnyOrder("songmap-gateway", "songmap-relay", "songmap-triton",
        "songmap-ingest", "songmap-separate", "songmap-drums", "songmap-melody-bass", "songmap-lyrics",
        "songmap-package");
    for (String stage : STAGES) {
      Map<String, Object> d = deployments.get("songmap-" + stage.replace('_', '-'));
      assertThat(args(d)).containsExactly("processors", "--stages", stage);
      assertThat(envFrom(d)).containsExactly("songmap-config", "songmap-secrets");
      assertThat(get(d, "spec.replicas")).as("KEDA owns the replica count").isNull();
    }
    assertThat(args(deployments.get("songmap-gateway"))).containsExactly("gateway");
    assertThat(args(deployments.get("songmap-relay"))).containsExactly("relay");
    assertThat(get(container(deployments.get("songmap-gateway")), "readinessProbe.httpGet.path"))
        .isEqualTo("/health/ready");

    Map<String, Map<String, Object>> scaled = byName(docs, "ScaledObject");
    assertThat(scaled).hasSize(STAGES.size());
    for (String stage : STAGES) {
      Map<String, Object> s = scaled.get("songmap-" + stage.replace('_', '-'));
      assertThat(get(s, "spec.scaleTargetRef.name")).isEqualTo("songmap-" + stage.replace('_', '-'));
      Map<String, Object> trigger = list(s, "spec.triggers").get(0);
      assertThat(trigger.get("type")).isEqualTo("kafka");
      assertThat(get(trigger, "metadata.topic")).isEqualTo("songmap.stage." + stage + ".v1");
      assertThat(get(trigger, "metadata.consumerGroup")).isEqualTo("songmap.stage." + stage);
      assertThat((Integer) get(s, "spec.maxReplicaCount")).as("no more consumers than partitions")
          .isLessThanOrEqualTo(12);
    }

    Map<String, Object> triton = container(deployments.get("songmap-triton"));
    assertThat(get(triton, "resources.limits")).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) get(triton, "resources.limits")).get("nvidia.com/gpu")).isEqualTo(1);
    Map<String, Object> config = configData(docs);
    assertThat(config.get("SONGMAP_TRITON_URL")).isEqualTo("songmap-triton:8001");
    assertThat(byName(docs, "Service")).containsKeys("songmap-triton", "songmap-gateway");
    assertThat(byName(docs, "PersistentVolumeClaim")).containsKey("songmap-artifacts");
    assertThat(get(byName(docs, "Secret").get("songmap-secrets"), "stringData.SONGMAP_PG_URL")).isEqualTo(PG);
  }

  @Test
  void selectorsMatchTheirPodsAndNeverOverlap() {
    List<Map<String, Object>> docs = render(Map.of());
    List<Map<String, Object>> selectors = new ArrayList<>();
    for (Map<String, Object> d : byName(docs, "Deployment").values()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> selector = (Map<String, Object>) get(d, "spec.selector.matchLabels");
      @SuppressWarnings("unchecked")
      Map<String, Object> labels = (Map<String, Object>) get(d, "spec.template.metadata.labels");
      assertThat(labels).containsAllEntriesOf(selector);
      selectors.add(selector);
    }
    assertThat(new java.util.HashSet<>(selectors)).hasSameSizeAs(selectors);
    for (Map<String, Object> s : byName(docs, "Service").values()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> selector = (Map<String, Object>) get(s, "spec.selector");
      assertThat(selectors).contains(selector);
    }
  }

  @Test
  void cpuServerModeReplacesTriton() {
    List<Map<String, Object>> docs = render(Map.of("inference.mode", "cpu-server"));
    Map<String, Map<String, Object>> deployments = byName(docs, "Deployment");
    assertThat(deployments).doesNotContainKey("songmap-triton").containsKey("songmap-cpu-server");
    assertThat(args(deployments.get("songmap-cpu-server"))).startsWith("cpu-server");
    assertThat(configData(docs).get("SONGMAP_TRITON_URL")).isEqualTo("songmap-cpu-server:8001");
    assertThat(byName(docs, "Service")).containsKey("songmap-cpu-server");
  }

  @Test
  void s3ArtifactsNeedNoVolume() {
    List<Map<String, Object>> docs = render(Map.of("artifacts.store", "s3", "artifacts.s3.bucket", "songs",
        "secrets.s3AccessKey", "AK", "secrets.s3SecretKey", "SK"));
    assertThat(byName(docs, "PersistentVolumeClaim")).isEmpty();
    Map<String, Object> config = configData(docs);
    assertThat(config).containsEntry("SONGMAP_ARTIFACTS", "s3").containsEntry("SONGMAP_S3_BUCKET", "songs")
        .doesNotContainKey("SONGMAP_ARTIFACTS_DIR");
    assertThat(get(byName(docs, "Secret").get("songmap-secrets"), "stringData.SONGMAP_S3_SECRET_KEY"))
        .isEqualTo("SK");
    for (Map<String, Object> d : byName(docs, "Deployment").values()) {
      assertThat(String.valueOf(get(d, "spec.template.spec.volumes"))).doesNotContain("persistentVolumeClaim");
    }
  }

  @Test
  void withoutKedaTheReplicaCountsAreFixed() {
    List<Map<String, Object>> docs = render(Map.of("autoscaling.keda", "false", "processors.stages.separate.replicas", "3"));
    assertThat(byName(docs, "ScaledObject")).isEmpty();
    assertThat(get(byName(docs, "Deployment").get("songmap-separate"), "spec.replicas")).isEqualTo(3);
    assertThat(get(byName(docs, "Deployment").get("songmap-drums"), "spec.replicas")).isEqualTo(1);
  }

  @Test
  void anExistingSecretIsUsedInsteadOfCreatingOne() {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Yaml().loadAll(template().set("existingSecret", "prod-songmap").call())) {
      if (o instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) m;
        docs.add(doc);
      }
    }
    assertThat(byName(docs, "Secret")).isEmpty();
    assertThat(envFrom(byName(docs, "Deployment").get("songmap-gateway"))).containsExactly("songmap-config",
        "prod-songmap");
  }

  @Test
  void mistakesFailWithTheirReason() {
    assertThatThrownBy(() -> template().call()).hasMessageContaining("secrets.pgUrl");
    assertThatThrownBy(() -> template().set("secrets.pgUrl", PG).set("inference.mode", "gpu").call())
        .hasMessageContaining("inference.mode must be triton or cpu-server");
    assertThatThrownBy(() -> template().set("secrets.pgUrl", PG).set("processors.stages.mixing.replicas", "1").call())
        .hasMessageContaining("unknown stage");
  }

  /** Every variable the chart sets is one that Songmap's code reads, so a renamed setting cannot drift. */
  @Test
  void setsOnlyVariablesSongmapReads() throws IOException {
    Set<String> known = variablesInSources(Path.of(".."));
    Set<String> set = new TreeSet<>();
    for (Map<String, String> values : List.of(Map.<String, String>of(), Map.of("artifacts.store", "s3"))) {
      List<Map<String, Object>> docs = render(values);
      set.addAll(configData(docs).keySet());
      set.addAll(((Map<String, Object>) get(byName(docs, "Secret").get("songmap-secrets"), "stringData")).keySet());
      for (Map<String, Object> d : byName(docs, "Deployment").values()) {
        Object env = get(container(d), "env");
        if (env instanceof List<?> l) {
          for (Object e : l) {
            set.add(String.valueOf(((Map<?, ?>) e).get("name")));
          }
        }
      }
    }
    set.remove("POD_NAME");
    assertThat(known).containsAll(set);
  }

  private List<Map<String, Object>> render(Map<String, String> values) {
    TemplateCommand t = template().set("secrets.pgUrl", PG);
    values.forEach(t::set);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Yaml().loadAll(t.call())) {
      if (o instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) m;
        docs.add(doc);
      }
    }
    assertThat(docs).isNotEmpty();
    return docs;
  }

  private static TemplateCommand template() {
    return new Helm(CHART).template().withName("songmap");
  }

  private Path copyChart() throws IOException {
    Path target = tmp.resolve("songmap");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
        Path to = target.resolve(CHART.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }

  private static Set<String> variablesInSources(Path root) throws IOException {
    Pattern name = Pattern.compile("\"(SONGMAP_[A-Z0-9_]+)\"");
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
          .forEach(p -> {
            try {
              Matcher m = name.matcher(Files.readString(p));
              while (m.find()) {
                found.add(m.group(1));
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return found;
  }

  private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> docs, String kind) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map<String, Object> d : docs) {
      if (kind.equals(d.get("kind"))) {
        out.put((String) get(d, "metadata.name"), d);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> configData(List<Map<String, Object>> docs) {
    return (Map<String, Object>) byName(docs, "ConfigMap").get("songmap-config").get("data");
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    return list(deployment, "spec.template.spec.containers").get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<String> args(Map<String, Object> deployment) {
    return (List<String>) container(deployment).get("args");
  }

  private static List<String> envFrom(Map<String, Object> deployment) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> ref : list(container(deployment), "envFrom")) {
      Object r = ref.containsKey("configMapRef") ? ref.get("configMapRef") : ref.get("secretRef");
      names.add((String) ((Map<?, ?>) r).get("name"));
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> doc, String path) {
    return (List<Map<String, Object>>) get(doc, path);
  }

  private static Object get(Map<String, Object> doc, String path) {
    Object at = doc;
    for (String key : path.split("\\.(?=[a-zA-Z])")) {
      if (!(at instanceof Map<?, ?> m)) {
        return null;
      }
      at = m.get(key);
    }
    return at;
  }
}
