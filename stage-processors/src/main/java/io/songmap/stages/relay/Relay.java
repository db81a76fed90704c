package io.songmap.stages.relay;

import io.songmap.avro.wire.AvroWire;
import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.subscription.PageHandler;
import io.songmap.eventstore.subscription.Subscription;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.stages.jobs.JobEventJson;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay: the event table is the outbox. A named event-store {@link Subscription} reads the
 * global log gap-safely in store order and, for each page, publishes every job event to
 * {@code songmap.job-events.v1} and each StageRequested as a StageTask to its stage's topic (key =
 * job id, Avro single-object encoding), and commits the checkpoint past a page only once the idempotent
 * producer has every acknowledgement for it. Up to {@link #PAGES_IN_FLIGHT} pages go out before the
 * first of them is acknowledged, so a new event need not wait for the previous page's acknowledgement
 * and checkpoint. A crash before the commit republishes the page (consumers are idempotent by event
 * id and attempt); nothing is ever skipped.
 *
 * <p>A StageRequested whose {@code notBefore} lies in the future is not published yet: its task is
 * written to {@code relay_delayed_task} in the page's transaction and published by a timer once due,
 * after which the row is deleted.
 *
 * <p>Only the holder of the subscription's lease relays; other processes running a relay stand by and
 * take over from the checkpoint when the owner stops renewing.
 */
public final class Relay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  private static final long DDL_LOCK = 0x52_65_6c_61_79_44_4c_59L;
  private static final String DDL = "CREATE TABLE IF NOT EXISTS relay_delayed_task ("
      + " event_id uuid PRIMARY KEY,"
      + " due_at timestamptz NOT NULL,"
      + " topic text NOT NULL,"
      + " job_id text NOT NULL,"
      + " payload bytea NOT NULL,"
      + " created_at timestamptz NOT NULL DEFAULT now());"
      + " CREATE INDEX IF NOT EXISTS relay_delayed_task_due ON relay_delayed_task (due_at)";
  private static final String INSERT_DELAYED = "INSERT INTO relay_delayed_task (event_id, due_at, topic, job_id, payload)"
      + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING";
  private static final String SELECT_DUE = "SELECT event_id, topic, job_id, payload FROM relay_delayed_task"
      + " WHERE due_at <= $1 ORDER BY due_at, event_id LIMIT $2 FOR UPDATE SKIP LOCKED";
  private static final String DELETE_SENT = "DELETE FROM relay_delayed_task WHERE event_id = ANY($1)";

  /** Pages sent and waiting for their acknowledgements before the relay stops reading ahead. */
  static final int PAGES_IN_FLIGHT = 4;
  /** How long the broker may take to answer one produce request. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** How long a record may take to be acknowledged, retries included, before its page is sent again. */
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);

  private final PgEventStore store;
  private final PgConnectOptions listenOptions;
  private final RelayConfig config;
  private final DirectDispatch direct;

  private KafkaProducer<String, byte[]> producer;
  private Subscription subscription;
  private long scanTimer = -1;
  private boolean scanning;
  private boolean rescan;
  private volatile boolean stopping;

  /**
   * @param store the event store whose log is relayed (its pool also holds the delayed tasks)
   * @param listenOptions connection for LISTEN/NOTIFY wake-ups; {@code null} relies on polling alone
   */
  public Relay(PgEventStore store, PgConnectOptions listenOptions, RelayConfig config) {
    this(store, listenOptions, config, null);
  }

  /**
   * @param direct the dispatch that sends this process's stage tasks ahead of the relay: each task it sent (or is
   *     sending) is not sent again, its acknowledgement is awaited instead; {@code null}: every task is sent here
   */
  public Relay(PgEventStore store, PgConnectOptions listenOptions, RelayConfig config, DirectDispatch direct) {
    this.store = Objects.requireNonNull(store, "store");
    this.listenOptions = listenOptions;
    this.config = Objects.requireNonNull(config, "config");
    this.direct = direct;
  }

  /** The event types the relay publishes: every job event. */
  public static EventFilter filter() {
    return EventFilter.types(Arrays.stream(JobEventType.values()).map(JobEventType::typeName).toArray(String[]::new));
  }

  /** Whether this process currently holds the relay's lease and publishes. */
  public boolean isActive() {
    return subscription != null && subscription.isOwner();
  }

  @Override
  public Future<?> start() {
    SubscriptionOptions options = SubscriptionOptions.named(config.subscriptionName())
        .withFilter(filter())
        .withPageSize(config.pageSize())
        .withPolling(config.minPoll(), config.maxPoll())
        .withLease(config.leaseTtl(), config.heartbeat())
        .withOwner(config.owner());
    return createTable()
        .compose(v -> vertx.executeBlocking(this::createProducer))
        .compose(p -> {
          producer = p;
          subscription = Subscription.createSending(vertx, store, listenOptions, options, this::relayPage,
              PAGES_IN_FLIGHT);
          return subscription.start();
        })
        .onSuccess(v -> {
          scanTimer = vertx.setPeriodic(config.delayedScan().toMillis(), id -> scanDelayed());
          log.info("relay {} started as {} (topics prefix '{}')", config.subscriptionName(), config.owner(),
              config.topics().prefix());
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (scanTimer >= 0) {
      vertx.cancelTimer(scanTimer);
    }
    Future<Void> stopped = subscription == null ? Future.succeededFuture() : subscription.stop();
    return stopped.eventually(() -> producer == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          producer.close(Duration.ofSeconds(5));
          return null;
        }));
  }

  private Future<Void> createTable() {
    return store.pool().withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")").execute()
        .compose(v -> conn.query(DDL).execute())
        .mapEmpty());
  }

  private KafkaProducer<String, byte[]> createProducer() {
    return producer(config.bootstrapServers(), "relay-" + config.owner(), config.producerOverrides(),
        config.topics().all());
  }

  /**
   * An idempotent producer as the relay uses it, with the metadata of {@code topics} fetched (a first send() to a
   * topic would otherwise block the event loop for it). Blocks.
   */
  static KafkaProducer<String, byte[]> producer(String bootstrapServers, String clientId,
      java.util.Map<String, Object> overrides, java.util.Collection<String> topics) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // A page whose records are not acknowledged within DELIVERY_TIMEOUT fails, and the relay sends it again from
    // its checkpoint. The client's default (two minutes of retries) let one bad partition stop the relay that long:
    // an idempotent producer whose first send to a just-created partition came back NOT_LEADER_OR_FOLLOWER was
    // seen retrying OUT_OF_ORDER_SEQUENCE_NUMBER every second; once a batch expires the producer resets its
    // sequence for the partition and the resend goes through.
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.putAll(overrides);
    KafkaProducer<String, byte[]> created = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    for (String topic : topics) {
      try {
        created.partitionsFor(topic);
      } catch (RuntimeException e) {
        log.warn("{}: no metadata for topic {} yet ({}); provision topics with KafkaTopics.createAll", clientId, topic,
            e.toString());
      }
    }
    return created;
  }

  // ---- the page: publish in store order, park future tasks, wait for every ack

  /**
   * Sends the page's records now; once every one is acknowledged, the subscription commits the checkpoint past
   * the page in a transaction that also parks its future tasks.
   */
  private Future<PageHandler> relayPage(List<RecordedEvent> events) {
    Instant now = Instant.now();
    Acks acks = new Acks();
    List<Tuple> delayed = new ArrayList<>();
    Instant earliestDue = null;
    for (RecordedEvent recorded : events) {
      JobEvent event;
      JsonObject meta;
      try {
        event = JobEventJson.fromJson(recorded.type(), recorded.dataJson());
        meta = recorded.metaJson();
      } catch (RuntimeException e) {
        // A stored event this version cannot read: holding the whole log back for it would stop every job.
        log.error("relay: skipping event {} ({} v{} of {}/{}) that cannot be read: {}", recorded.eventId(),
            recorded.type(), recorded.schemaVersion(), recorded.tenant(), recorded.streamId(), e.toString());
        continue;
      }
      String correlationId = meta.getString("correlationId");
      String causationId = meta.getString("causationId");
      byte[] envelope = AvroWire.jobEvent().encode(JobEventAvro.envelope(recorded, event, correlationId, causationId));
      send(config.topics().jobEvents(), event.jobId(), envelope, acks);
      if (event instanceof JobEvent.StageRequested requested) {
        String topic = config.topics().stage(requested.stage());
        Future<Void> sentDirectly = direct == null ? null : direct.claim(recorded.eventId());
        if (sentDirectly != null) {
          awaitDirect(sentDirectly, topic, requested.jobId(),
              () -> AvroWire.stageTask().encode(JobEventAvro.stageTask(recorded, requested, correlationId)), acks);
          continue;
        }
        byte[] task = AvroWire.stageTask().encode(JobEventAvro.stageTask(recorded, requested, correlationId));
        if (requested.notBefore().isAfter(now)) {
          delayed.add(Tuple.of(recorded.eventId(), OffsetDateTime.ofInstant(requested.notBefore(), ZoneOffset.UTC),
              topic, requested.jobId(), Buffer.buffer(task)));
          if (earliestDue == null || requested.notBefore().isBefore(earliestDue)) {
            earliestDue = requested.notBefore();
          }
        } else {
          send(topic, requested.jobId(), task, acks);
        }
      }
    }
    Instant due = earliestDue;
    // The commit need not wait for the WAL flush: losing it in a crash loses the checkpoint and the parked tasks
    // together, and the page is relayed again, which consumers take as duplicates. With nothing to park, the
    // checkpoint moves in a single statement.
    if (delayed.isEmpty()) {
      return acks.all().map(v -> PageHandler.NOTHING_RELAXED);
    }
    return acks.all().map(v -> (tx, page) -> {
      Future<?> relaxed = tx.query("SET LOCAL synchronous_commit TO OFF").execute();
      Future<Void> parked = relaxed.compose(x -> tx.preparedQuery(INSERT_DELAYED).executeBatch(delayed)).mapEmpty();
      return parked.onSuccess(x -> {
        if (due != null) {
          // The parked tasks are visible to the scan once this commits; look for them when the first is due.
          long delay = Math.max(1, Duration.between(Instant.now(), due).toMillis() + 1);
          vertx.setTimer(delay, id -> scanDelayed());
        }
      });
    });
  }

  /**
   * Counts a task sent by the direct dispatch as part of the page once its acknowledgement comes; if the direct
   * send failed, sends the task from here.
   */
  private void awaitDirect(Future<Void> sentDirectly, String topic, String key, Supplier<byte[]> task, Acks acks) {
    acks.expect();
    AtomicBoolean settled = new AtomicBoolean();
    Runnable sendHere = () -> context.runOnContext(v -> {
      try {
        producer.send(new ProducerRecord<>(topic, key, task.get()), (metadata, error) -> acks.acked(error));
      } catch (RuntimeException e) {
        acks.acked(e);
      }
    });
    long timer = vertx.setTimer(direct.limits().relayWait().toMillis(), id -> {
      if (settled.compareAndSet(false, true)) {
        log.warn("relay: the direct send of job {}'s task for {} was not acknowledged within {}; sending it here",
            key, topic, direct.limits().relayWait());
        sendHere.run();
      }
    });
    sentDirectly.onComplete(ar -> {
      if (settled.compareAndSet(false, true)) {
        vertx.cancelTimer(timer);
        if (ar.succeeded()) {
          acks.acked(null);
        } else {
          sendHere.run();
        }
      }
    });
  }

  private void send(String topic, String key, byte[] value, Acks acks) {
    acks.expect();
    producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> acks.acked(error));
  }

  /**
   * Counts the acknowledgements of one batch of sends, and completes on the relay's context once all
   * have come (or fails with the first error).
   */
  private final class Acks {
    private final AtomicInteger outstanding = new AtomicInteger(1);
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final Promise<Void> done = Promise.promise();

    void expect() {
      outstanding.incrementAndGet();
    }

    void acked(Exception error) {
      if (error != null) {
        firstError.compareAndSet(null, error);
      }
      if (outstanding.decrementAndGet() == 0) {
        finish();
      }
    }

    Future<Void> all() {
      acked(null);
      return done.future();
    }

    private void finish() {
      context.runOnContext(v -> {
        Throwable error = firstError.get();
        if (error == null) {
          done.complete();
        } else {
          done.fail(error);
        }
      });
    }
  }

  // ---- delayed tasks

  private void scanDelayed() {
    if (stopping || subscription == null || !subscription.isOwner()) {
      return;
    }
    if (scanning) {
      rescan = true;
      return;
    }
    scanning = true;
    rescan = false;
    store.pool().withTransaction(this::publishDue).onComplete(ar -> {
      scanning = false;
      if (ar.failed()) {
        log.warn("relay: publishing due delayed tasks failed, will retry: {}", ar.cause().toString());
      } else if (ar.result() >= config.delayedBatch() || rescan) {
        scanDelayed();
      }
    });
  }

  private Future<Integer> publishDue(SqlConnection tx) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    return tx.preparedQuery(SELECT_DUE).execute(Tuple.of(now, config.delayedBatch())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      Acks acks = new Acks();
      List<UUID> ids = new ArrayList<>(rows.size());
      for (Row row : rows) {
        ids.add(row.getUUID(0));
        send(row.getString(1), row.getString(2), row.getBuffer(3).getBytes(), acks);
      }
      return acks.all()
          .compose(v -> tx.preparedQuery(DELETE_SENT).execute(Tuple.of(ids.toArray(UUID[]::new))))
          .map(v -> {
            log.debug("relay: published {} delayed task(s)", ids.size());
            return ids.size();
          });
    });
  }
}
