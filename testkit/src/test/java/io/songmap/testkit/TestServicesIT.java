package io.songmap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TestServicesIT {

  @Test
  void kafkaBrokerCarriesRecordsThroughAConsumerGroup() throws Exception {
    TestKafka.createTopics(2, List.of("testkit.roundtrip"));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("testkit.roundtrip", "k", "hello")).get(30, TimeUnit.SECONDS);
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "testkit");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("testkit.roundtrip"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      ConsumerRecord<String, String> got = null;
      while (got == null && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          got = r;
        }
      }
      assertThat(got).isNotNull();
      assertThat(got.value()).isEqualTo("hello");
    }
  }

  @Test
  void eachCallerGetsItsOwnDatabase() throws Exception {
    PgConnectOptions a = TestPostgres.freshDatabase("a");
    PgConnectOptions b = TestPostgres.freshDatabase("b");
    assertThat(a.getDatabase()).isNotEqualTo(b.getDatabase());
    Vertx vertx = Vertx.vertx();
    try {
      Pool pa = PgBuilder.pool().connectingTo(a).using(vertx).build();
      Pool pb = PgBuilder.pool().connectingTo(b).using(vertx).build();
      pa.query("create table t(x int)").execute().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      var rows = pb.query("select count(*) from information_schema.tables where table_name = 't'").execute()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(rows.iterator().next().getLong(0)).isZero();
    } finally {
      vertx.close();
    }
  }

  @Test
  void parsesUrls() {
    PgConnectOptions o = TestPostgres.parse("postgresql://alice:secret@db.example:6543/songmap");
    assertThat(Map.of("h", o.getHost(), "p", o.getPort(), "u", o.getUser(), "w", o.getPassword(), "d", o.getDatabase()))
        .containsEntry("h", "db.example").containsEntry("p", 6543).containsEntry("u", "alice")
        .containsEntry("w", "secret").containsEntry("d", "songmap");
  }
}
