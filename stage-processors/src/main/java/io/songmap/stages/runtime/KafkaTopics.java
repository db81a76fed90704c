package io.songmap.stages.runtime;

import io.songmap.avro.Topics;
import io.songmap.job.stage.Stage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The names of the pipeline's topics ({@link Topics}), optionally behind a prefix so that several
 * installations (or test runs) can share one cluster, and the provisioning of all of them.
 *
 * @param prefix put in front of every topic name and consumer group; empty in production
 */
public record KafkaTopics(String prefix) {
  public static final KafkaTopics DEFAULT = new KafkaTopics("");

  public KafkaTopics {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("a topic prefix may hold only letters, digits, '.', '_' and '-': " + prefix);
    }
  }

  public String jobEvents() {
    return prefix + Topics.JOB_EVENTS;
  }

  public String stage(Stage stage) {
    return prefix + Topics.stage(stage.wireName());
  }

  /** The consumer group of a stage's processors. */
  public String stageGroup(Stage stage) {
    return prefix + "songmap.stage." + stage.wireName();
  }

  public static String dlq(String topic) {
    return Topics.dlq(topic);
  }

  /** Every topic the relay and the processors use, dead-letter topics included. */
  public List<String> all() {
    return Topics.all().stream().map(t -> prefix + t).toList();
  }

  /**
   * Creates every topic that does not exist yet and waits until all are there. Blocking: call it at
   * start-up or through {@link #createAll(Vertx, String, int, short)}.
   */
  public void createAllBlocking(String bootstrapServers, int partitions, short replicationFactor, Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : all()) {
        if (!existing.contains(name)) {
          missing.add(new NewTopic(name, partitions, replicationFactor));
        }
      }
      if (!missing.isEmpty()) {
        CreateTopicsResult result = admin.createTopics(missing);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : result.values().entrySet()) {
          try {
            e.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
          } catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof TopicExistsException)) {
              throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
            }
          }
        }
      }
      Set<String> wanted = new HashSet<>(all());
      while (!admin.listTopics().names().get(remainingMillis(deadline), TimeUnit.MILLISECONDS).containsAll(wanted)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics not visible after " + timeout + ": " + wanted);
        }
        Thread.sleep(50);
      }
      awaitLeaders(admin, wanted, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics at " + bootstrapServers + ": " + e, e);
    }
  }

  /**
   * Waits until the leader of every partition of {@code topics} answers for it. A topic is listed as soon as the
   * controller has created it, a moment before its broker leads the partitions; a producer's first send in that
   * moment comes back NOT_LEADER_OR_FOLLOWER, and an idempotent producer was seen to retry it with out-of-order
   * sequence numbers until its delivery timeout. Asking each leader for its latest offset retries until it answers.
   */
  private static void awaitLeaders(Admin admin, Set<String> topics, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
        .forEach((name, description) -> description.partitions()
            .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    admin.listOffsets(latest).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
  }

  /** {@link #createAllBlocking} on a worker thread. */
  public Future<Void> createAll(Vertx vertx, String bootstrapServers, int partitions, short replicationFactor) {
    return vertx.executeBlocking(() -> {
      createAllBlocking(bootstrapServers, partitions, replicationFactor, Duration.ofSeconds(30));
      return null;
    });
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }
}
