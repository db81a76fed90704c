package io.songmap.stages.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.testkit.TestKafka;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BoundedConsumerIT {
  private Vertx vertx;
  private String topic;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    topic = "bounded-" + UUID.randomUUID();
    TestKafka.createTopics(3, List.of(topic, topic + BoundedConsumer.DLQ_SUFFIX));
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void produce(int from, int to) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = from; i < to; i++) {
        producer.send(new ProducerRecord<>(topic, "job-" + (i % 7), "r" + i));
      }
      producer.flush();
    }
  }

  private BoundedConsumer consume(String group, int maxInFlight,
      java.util.function.Function<ConsumerRecord<byte[], byte[]>, Future<Void>> handler) throws Exception {
    // Created on a Vert.x context, as a verticle would.
    Promise<BoundedConsumer> p = Promise.promise();
    vertx.runOnContext(v -> p.complete(BoundedConsumer.start(vertx,
        BoundedConsumer.Settings.of(TestKafka.bootstrapServers(), group, List.of(topic), maxInFlight), handler)));
    return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String value(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  @Test
  void neverHoldsMoreThanTheBoundAndHandlesEveryRecord() throws Exception {
    produce(0, 200);
    AtomicInteger current = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    BoundedConsumer c = consume("g-" + UUID.randomUUID(), 5, r -> {
      peak.accumulateAndGet(current.incrementAndGet(), Math::max);
      Promise<Void> done = Promise.promise();
      vertx.setTimer(2, id -> {
        current.decrementAndGet();
        seen.add(value(r));
        done.complete();
      });
      return done.future();
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 200);
    c.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(peak.get()).isLessThanOrEqualTo(5).isGreaterThan(1);
  }

  @Test
  void unfinishedWorkIsRedeliveredAndFinishedWorkIsNot() throws Exception {
    produce(0, 30);
    String group = "g-" + UUID.randomUUID();
    Set<String> done = ConcurrentHashMap.newKeySet();
    List<Promise<Void>> stuck = new CopyOnWriteArrayList<>();
    // The first consumer finishes r0..r9 of each partition's order but leaves "r13" hanging forever.
    BoundedConsumer first = consume(group, 50, r -> {
      if (value(r).equals("r13")) {
        Promise<Void> never = Promise.promise();
        stuck.add(never);
        return never.future();
      }
      done.add(value(r));
      return Future.succeededFuture();
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 29);
    // A crash-like stop: the hanging record is abandoned after a short grace.
    first.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    List<String> redelivered = new CopyOnWriteArrayList<>();
    BoundedConsumer second = consume(group, 50, r -> {
      redelivered.add(value(r));
      return Future.succeededFuture();
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> redelivered.contains("r13"));
    Thread.sleep(500);
    second.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    // Only r13 and what followed it on its partition (committed only up to the gap) come back.
    assertThat(redelivered).contains("r13");
    assertThat(redelivered.size()).isLessThan(30);
  }

  @Test
  void aDeadLetterGoesToTheDlqWithItsReasonAndTheNextRecordIsHandled() throws Exception {
    produce(0, 10);
    List<String> handled = new CopyOnWriteArrayList<>();
    BoundedConsumer c = consume("g-" + UUID.randomUUID(), 4, r -> {
      if (value(r).equals("r4")) {
        return Future.failedFuture(new DeadLetter("UNPARSEABLE", "not a StageTask: bad magic"));
      }
      handled.add(value(r));
      return Future.succeededFuture();
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 9);
    c.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var dlq = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      dlq.subscribe(List.of(topic + BoundedConsumer.DLQ_SUFFIX));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        dlq.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      assertThat(got).hasSize(1);
      Map<String, String> headers = new HashMap<>();
      got.get(0).headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
      assertThat(value(got.get(0))).isEqualTo("r4");
      assertThat(headers).containsEntry(BoundedConsumer.H_ERROR_CODE, "UNPARSEABLE")
          .containsEntry(BoundedConsumer.H_ERROR_MESSAGE, "not a StageTask: bad magic")
          .containsEntry(BoundedConsumer.H_SOURCE_TOPIC, topic)
          .containsKey(BoundedConsumer.H_SOURCE_OFFSET);
    }
  }

  @Test
  void aFailingDependencyIsRetriedUntilItRecovers() throws Exception {
    produce(0, 3);
    AtomicInteger calls = new AtomicInteger();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    BoundedConsumer c = consume("g-" + UUID.randomUUID(), 4, r -> {
      if (value(r).equals("r1") && calls.incrementAndGet() < 3) {
        return Future.failedFuture(new IllegalStateException("database unavailable"));
      }
      handled.add(value(r));
      return Future.succeededFuture();
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 3);
    c.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(calls.get()).isEqualTo(3);
  }
}
