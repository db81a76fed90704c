package io.songmap.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker (one combined KRaft broker + controller) running inside this JVM, on a
 * random loopback port with a temporary log directory. Used by tests when no Docker engine exists and
 * by the all-in-one launcher.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final Path logDir;

  private EmbeddedKafka(KafkaClusterTestKit cluster, Path logDir) {
    this.cluster = cluster;
    this.logDir = logDir;
  }

  /** Formats and starts a single-node KRaft cluster; returns once the broker accepts clients. */
  public static EmbeddedKafka start(Map<String, String> extraBrokerConfig) {
    try {
      Path dir = Files.createTempDirectory("songmap-kafka-");
      TestKitNodes nodes = new TestKitNodes.Builder()
          .setCombined(true)
          .setNumBrokerNodes(1)
          .setNumControllerNodes(1)
          .setBaseDirectory(dir)
          .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
          // A single broker cannot satisfy the default replication of internal topics: without these,
          // consumer groups never get an assignment and transactions never initialise.
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("auto.create.topics.enable", "true")
          .setConfigProp("num.partitions", "4")
          .setDeleteOnClose(true);
      extraBrokerConfig.forEach(builder::setConfigProp);
      KafkaClusterTestKit cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster, dir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the embedded Kafka broker", e);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the embedded Kafka broker", e);
    }
  }
}
