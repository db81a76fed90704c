package io.songmap.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class BrokerProcessIT {

  @Test
  void brokerInItsOwnJvmServesClientsReportsItsJitAndCpuAndStopsWithItsInput() throws Exception {
    Path log = Files.createTempFile("broker-process-it-", ".log");
    BrokerProcess broker = BrokerProcess.start(List.of("-Xmx256m"), Map.of("num.partitions", "1"), log);
    ProcessHandle child = ProcessHandle.of(broker.pid()).orElseThrow();
    try {
      assertThat(broker.pid()).isNotEqualTo(ProcessHandle.current().pid());
      String topic = "broker-process-it";
      Properties p = new Properties();
      p.put("bootstrap.servers", broker.bootstrapServers());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "hello")).get(60, TimeUnit.SECONDS);
      }
      Properties c = new Properties();
      c.put("bootstrap.servers", broker.bootstrapServers());
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            values.add(r.value());
          }
        }
      }
      assertThat(values).containsExactly("hello");
      // A JVM that started a broker has compiled code and used CPU; both are read from the child, not from here.
      assertThat(broker.jitMillis()).isPositive();
      assertThat(broker.cpuNanos()).isPositive();
    } finally {
      broker.close();
    }
    assertThat(child.isAlive()).isFalse();
  }
}
