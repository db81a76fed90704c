package io.songmap.gateway;

import static io.songmap.gateway.GatewayHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.songmap.avro.AudioUrl;
import io.songmap.avro.JobEvent;
import io.songmap.avro.SubmitJob;
import io.songmap.gateway.intake.PartnerIntake;
import io.songmap.gateway.submit.JobIds;
import io.songmap.stages.runtime.BoundedConsumer;
import io.songmap.testkit.TestKafka;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Partner intake with a partner's own code: a plain Kafka producer writing records encoded by the Avro classes
 * generated from the published schemas, and a plain consumer reading the job events back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayPartnerIT {
  private GatewayHarness h;
  private KafkaProducer<String, byte[]> producer;
  private String submissions;

  @BeforeAll
  void start() {
    h = new GatewayHarness("gateway_partner", true);
    submissions = PartnerIntake.topic(h.topics);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void stop() {
    producer.close();
    h.close();
  }

  private void send(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(submissions, key, value)).get();
  }

  private static byte[] submission(String tenant, String id, String url) throws Exception {
    SubmitJob job = SubmitJob.newBuilder()
        .setTenant(tenant)
        .setPartnerSubmissionId(id)
        .setAudio(AudioUrl.newBuilder().setUrl(url).build())
        .setRequestedOutputs(List.of("midi", "musicxml"))
        .setPriority(1)
        .setSubmittedAt(Instant.now())
        .setMetadata(Map.of("catalog", "A-1"))
        .setModelVersions(Map.of())
        .build();
    return SubmitJob.getEncoder().encode(job).array();
  }

  private <K> List<ConsumerRecord<K, byte[]>> readAll(String topic, org.apache.kafka.common.serialization.Deserializer<K> keys,
      int atLeast) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "partner-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<K, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<K, byte[]> c = new KafkaConsumer<>(p, keys, new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < atLeast && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void aPlainProducersSubmissionBecomesOneJobAndBadOnesGoToTheDeadLetterTopic() throws Exception {
    var t = h.tenant();
    String tenant = t.getKey();
    byte[] good = submission(tenant, "sub-1", "https://203.0.113.7/song.mp3");
    send(tenant + ":sub-1", good);
    send(tenant + ":sub-1", good); // redelivered or resent: still one job
    send(tenant + ":bad", "not avro at all".getBytes(StandardCharsets.UTF_8));
    send("nobody:sub-2", submission("nobody", "sub-2", "https://203.0.113.7/song.mp3"));
    send(tenant + ":sub-3", submission(tenant, "sub-3", "http://10.0.0.5/internal.mp3"));

    String jobId = JobIds.forKey(tenant, "sub-1");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        await(h.get(t.getValue(), "/jobs/" + jobId).send()).statusCode() == 200);
    JsonObject history = await(h.get(t.getValue(), "/jobs/" + jobId + "/events").send()).bodyAsJsonObject();
    JsonObject submitted = history.getJsonArray("events").getJsonObject(0).getJsonObject("data");
    assertThat(submitted.getJsonObject("source").getString("location")).isEqualTo("https://203.0.113.7/song.mp3");
    assertThat(submitted.getJsonObject("metadata").getString("catalog")).isEqualTo("A-1");
    assertThat(submitted.getJsonArray("requestedOutputs")).containsExactly("midi", "musicxml");

    var dead = readAll(submissions + BoundedConsumer.DLQ_SUFFIX, new StringDeserializer(), 3);
    Map<String, String> codes = new HashMap<>();
    for (var r : dead) {
      codes.put(r.key(), new String(r.headers().lastHeader(BoundedConsumer.H_ERROR_CODE).value(), StandardCharsets.UTF_8));
      assertThat(r.headers().lastHeader(BoundedConsumer.H_ERROR_MESSAGE)).isNotNull();
    }
    assertThat(codes).containsEntry(tenant + ":bad", "UNREADABLE_NOT_SINGLE_OBJECT")
        .containsEntry("nobody:sub-2", "UNKNOWN_TENANT")
        .containsEntry(tenant + ":sub-3", "INVALID_SOURCE_URL")
        .hasSize(3);

    // The duplicate made no second job.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        await(h.get(t.getValue(), "/jobs").send()).bodyAsJsonObject().getJsonArray("jobs").size() == 1);
    assertThat(await(h.get(t.getValue(), "/jobs").send()).bodyAsJsonObject().getJsonArray("jobs").getJsonObject(0)
        .getString("id")).isEqualTo(jobId);

    // A partner follows its job on the job events topic with the generated classes alone.
    var events = readAll(h.topics.jobEvents(), new StringDeserializer(), 2);
    List<String> types = new ArrayList<>();
    for (var r : events) {
      JobEvent e = JobEvent.getDecoder().decode(r.value());
      if (e.getJobId().equals(jobId)) {
        assertThat(r.key()).isEqualTo(jobId);
        types.add(e.getType());
      }
    }
    assertThat(types).startsWith("JobSubmitted", "StageRequested");

    var ready = await(h.http.get("/health/ready").send()).bodyAsJsonObject();
    assertThat(ready.getJsonObject("checks").getString("kafka")).isEqualTo("UP");
    String metrics = await(h.http.get("/metrics").send()).bodyAsString();
    assertThat(metrics).contains("songmap_jobs{state=\"SUBMITTED\"}").contains("songmap_live_job_events_total");
  }
}
