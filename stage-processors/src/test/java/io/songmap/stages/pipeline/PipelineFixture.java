package io.songmap.stages.pipeline;

import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.job.AudioSource;
import io.songmap.job.Job;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobState;
import io.songmap.job.retry.JitterSource;
import io.songmap.job.retry.RetryPolicy;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobEventJson;
import io.songmap.stages.relay.DirectDispatch;
import io.songmap.stages.relay.JobEventAvro;
import io.songmap.stages.relay.Relay;
import io.songmap.stages.relay.RelayConfig;
import io.songmap.stages.runtime.KafkaTopics;
import io.songmap.stages.runtime.StageHandler;
import io.songmap.stages.runtime.StageWorker;
import io.songmap.stages.runtime.StageWorkerConfig;
import io.songmap.testkit.TestKafka;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real pipeline for tests: the shared Kafka broker with topics of its own (a random prefix), a fresh
 * PostgreSQL database with the event store, and helpers to deploy the relay and stage workers.
 */
public final class PipelineFixture implements AutoCloseable {
  public static final String TENANT = "acme";
  /** Retries come back after milliseconds, so that tests wait for nothing. */
  public static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Duration.ofMillis(30), Duration.ofMillis(60), 0);

  public final Vertx vertx;
  public final PgConnectOptions pg;
  public final Pool pool;
  public final PgEventStore store;
  public final KafkaTopics topics;
  private final java.util.concurrent.atomic.AtomicInteger topicSets = new java.util.concurrent.atomic.AtomicInteger();
  public final String bootstrap;
  public final JobCommands commands;
  /** Sends the tasks of {@link #commands}' appends ahead of the relay; {@code null}: the relay alone sends them. */
  public final DirectDispatch dispatch;

  private PipelineFixture(Vertx vertx, PgConnectOptions pg, Pool pool, PgEventStore store, KafkaTopics topics,
      JobCommands commands, DirectDispatch dispatch) {
    this.vertx = vertx;
    this.pg = pg;
    this.pool = pool;
    this.store = store;
    this.topics = topics;
    this.bootstrap = TestKafka.bootstrapServers();
    this.commands = commands;
    this.dispatch = dispatch;
  }

  public static PipelineFixture create(String owner, RetryPolicy retries) {
    return create(owner, retries, false);
  }

  /** @param directDispatch whether the fixture's commands send their tasks ahead of the relay, as the service does */
  public static PipelineFixture create(String owner, RetryPolicy retries, boolean directDispatch) {
    Vertx vertx = Vertx.vertx();
    PgConnectOptions pg = TestPostgres.freshDatabase(owner);
    Pool pool = PgBuilder.pool().connectingTo(pg).with(new PoolOptions().setMaxSize(8)).using(vertx).build();
    PgEventStore store = await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT));
    KafkaTopics topics = new KafkaTopics("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
    topics.createAllBlocking(TestKafka.bootstrapServers(), 3, (short) 1, Duration.ofSeconds(30));
    DirectDispatch dispatch = directDispatch ? DirectDispatch.create(TestKafka.bootstrapServers(), topics) : null;
    JobCommands commands = new JobCommands(vertx, store, new Job(retries, JitterSource.fixed(0)), 20,
        JobCommands.DEFAULT_CACHE_SIZE, JobCommands.DEFAULT_GATHER_WINDOW, dispatch);
    return new PipelineFixture(vertx, pg, pool, store, topics, commands, dispatch);
  }

  public RelayConfig relayConfig() {
    return RelayConfig.defaults(bootstrap).withTopics(topics)
        .withLease(Duration.ofSeconds(5), Duration.ofMillis(250));
  }

  public Relay relay(RelayConfig config) {
    return new Relay(store, pg, config, dispatch);
  }

  public String deploy(io.vertx.core.Deployable verticle) {
    return await(vertx.deployVerticle(verticle));
  }

  public void undeploy(String id) {
    await(vertx.undeploy(id));
  }

  public StageWorkerConfig workerConfig() {
    return workerConfig(topics);
  }

  public StageWorkerConfig workerConfig(KafkaTopics topicNames) {
    return StageWorkerConfig.defaults(bootstrap).withTopics(topicNames).withMaxInFlight(16)
        .withShutdownGrace(Duration.ofMillis(500));
  }

  /** Another set of topics (and consumer groups), for a test that wants the broker to itself. */
  public KafkaTopics newTopics() {
    KafkaTopics more = new KafkaTopics(topics.prefix() + topicSets.incrementAndGet() + ".");
    more.createAllBlocking(bootstrap, 3, (short) 1, Duration.ofSeconds(30));
    return more;
  }

  /** The stored StageRequested of the job's current attempt of {@code stage}, as the relay publishes it. */
  public byte[] taskRecord(String jobId, Stage stage) {
    List<RecordedEvent> recorded = recorded(jobId);
    for (int i = recorded.size() - 1; i >= 0; i--) {
      RecordedEvent r = recorded.get(i);
      JobEvent e = JobEventJson.fromJson(r.type(), r.dataJson());
      if (e instanceof JobEvent.StageRequested requested && requested.stage() == stage) {
        return AvroWire.stageTask().encode(JobEventAvro.stageTask(r, requested, "corr-" + jobId));
      }
    }
    throw new IllegalStateException(stage + " was never requested for " + jobId);
  }

  public void produce(String topic, String key, byte[] value) {
    try (KafkaProducer<String, byte[]> p = producer()) {
      p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public StageWorker worker(Stage stage, StageHandler handler, StageWorkerConfig config) {
    return new StageWorker(stage, handler, commands, config);
  }

  public JobCommands.Outcome submit(String jobId) {
    return command(new JobCommand.SubmitJob(jobId, TENANT, AudioSource.url("https://songs.example/" + jobId + ".mp3"),
        List.of("musicxml"), 0, Map.of(), Map.of(), Instant.now()));
  }

  public JobCommands.Outcome command(JobCommand command) {
    return await(commands.handle(TENANT, command, new JobCommands.Meta("corr-" + command.jobId(), null)));
  }

  public JobState state(String jobId) {
    return await(commands.load(TENANT, jobId));
  }

  public List<RecordedEvent> recorded(String jobId) {
    return await(store.readStream(TENANT, JobCommands.streamId(jobId), 1)).events();
  }

  public List<JobEvent> events(String jobId) {
    return recorded(jobId).stream().map(e -> JobEventJson.fromJson(e.type(), e.dataJson())).toList();
  }

  public KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  public KafkaConsumer<String, byte[]> consumer(List<String> topicNames) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(topicNames);
    // Joined before anything is produced, so that what it sees is timed by the producer, not by the join.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(50));
    }
    consumer.seekToBeginning(consumer.assignment());
    return consumer;
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (dispatch != null) {
        dispatch.close();
      }
    }
  }
}
