package io.songmap.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka broker shared by every test in this JVM. With a reachable Docker engine it is
 * Testcontainers' Apache Kafka image; otherwise an in-process KRaft broker. The system property
 * {@code songmap.test.kafka} ({@code embedded}, {@code testcontainers} or {@code auto}, the default)
 * forces either; {@code SONGMAP_KAFKA_BOOTSTRAP} points the tests at an existing broker instead.
 */
public final class TestKafka {
  private static String bootstrap;

  private TestKafka() {}

  /** Starts the shared broker on first use and returns its bootstrap servers. */
  public static synchronized String bootstrapServers() {
    if (bootstrap == null) {
      bootstrap = start();
    }
    return bootstrap;
  }

  private static String start() {
    String external = System.getenv("SONGMAP_KAFKA_BOOTSTRAP");
    if (external != null && !external.isBlank()) {
      System.out.println("[testkit] Kafka: existing broker at " + external);
      return external;
    }
    String mode = System.getProperty("songmap.test.kafka", "auto");
    boolean docker = switch (mode) {
      case "embedded" -> false;
      case "testcontainers" -> true;
      case "auto" -> dockerAvailable();
      default -> throw new IllegalArgumentException(
          "songmap.test.kafka must be embedded, testcontainers or auto, not " + mode);
    };
    long t0 = System.nanoTime();
    if (docker) {
      KafkaContainer container = new KafkaContainer("apache/kafka:4.1.1");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "testkit-kafka-stop"));
      System.out.printf("[testkit] Kafka: Testcontainers apache/kafka:4.1.1 at %s (%d ms)%n",
          container.getBootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
      return container.getBootstrapServers();
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(Map.of());
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "testkit-kafka-stop"));
    System.out.printf("[testkit] Kafka: in-process KRaft broker at %s, logs in %s (%d ms)%n",
        kafka.bootstrapServers(), kafka.logDir(), (System.nanoTime() - t0) / 1_000_000);
    return kafka.bootstrapServers();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  /** An admin client for the shared broker; the caller closes it. */
  public static Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(props);
  }

  /** Creates the topics (if absent) with the given partition count and waits until they exist. */
  public static void createTopics(int partitions, Collection<String> names) {
    try (Admin admin = admin()) {
      List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
      try {
        admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!admin.listTopics().names().get().containsAll(Set.copyOf(names))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics not visible after 30 s: " + names);
        }
        Thread.sleep(50);
      }
      // Listed is not yet led: wait until each partition's leader answers (a first send would otherwise be refused).
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
          d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not create topics " + names + ": " + e.getMessage(), e);
    }
  }
}
