package io.songmap.gateway.intake;

import io.songmap.artifacts.ArtifactKey;
import io.songmap.avro.AudioObjectKey;
import io.songmap.avro.AudioUrl;
import io.songmap.avro.SubmitJob;
import io.songmap.avro.Topics;
import io.songmap.avro.wire.AvroWire;
import io.songmap.avro.wire.AvroWireException;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.http.ApiError;
import io.songmap.gateway.submit.JobIds;
import io.songmap.gateway.submit.SourceUrlPolicy;
import io.songmap.gateway.submit.Submissions;
import io.songmap.job.AudioSource;
import io.songmap.stages.runtime.BoundedConsumer;
import io.songmap.stages.runtime.DeadLetter;
import io.songmap.stages.runtime.KafkaTopics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partners' submissions from {@code songmap.submissions.v1} (Avro {@link SubmitJob}) become jobs. The partner's
 * submission id is the idempotency key, so a redelivered or resubmitted record finds the job the first one made.
 * A record that can never become a job (unreadable, unknown tenant, a source we will not fetch) goes to
 * {@code songmap.submissions.v1.dlq} with the reason in its headers; a failure of our own (database down) is
 * retried, and the offset is committed only once the job's events are stored.
 */
public final class PartnerIntake {
  private static final Logger log = LoggerFactory.getLogger(PartnerIntake.class);
  private static final String OUTPUT = "[a-z0-9_-]{1,32}";

  private final AvroWire<SubmitJob> wire = AvroWire.submitJob();
  private final Tenants tenants;
  private final Submissions submissions;
  private final SourceUrlPolicy urlPolicy;
  private BoundedConsumer consumer;

  private PartnerIntake(Tenants tenants, Submissions submissions, SourceUrlPolicy urlPolicy) {
    this.tenants = tenants;
    this.submissions = submissions;
    this.urlPolicy = urlPolicy;
  }

  /** The submissions topic behind the topics' prefix. */
  public static String topic(KafkaTopics topics) {
    return topics.prefix() + Topics.SUBMISSIONS;
  }

  /** Starts consuming; call from a verticle's start, whose context then runs every submission. */
  public static PartnerIntake start(Vertx vertx, String bootstrapServers, KafkaTopics topics, int maxInFlight,
      Tenants tenants, Submissions submissions, SourceUrlPolicy urlPolicy) {
    PartnerIntake intake = new PartnerIntake(tenants, submissions, urlPolicy);
    intake.consumer = BoundedConsumer.start(vertx, BoundedConsumer.Settings.of(bootstrapServers,
        topics.prefix() + "songmap.gateway.submissions", List.of(topic(topics)), maxInFlight), intake::handle);
    return intake;
  }

  public int inFlight() {
    return consumer.inFlight();
  }

  public Future<Void> stop() {
    return consumer.stop();
  }

  Future<Void> handle(ConsumerRecord<byte[], byte[]> record) {
    SubmitJob s;
    try {
      s = wire.decode(record.value());
    } catch (AvroWireException e) {
      return Future.failedFuture(new DeadLetter("UNREADABLE_" + e.reason().name(), e.getMessage(), e));
    }
    String tenant = s.getTenant();
    String submissionId = s.getPartnerSubmissionId();
    if (submissionId == null || submissionId.isBlank() || submissionId.length() > 200) {
      return dead("INVALID_SUBMISSION_ID", "partnerSubmissionId must have 1..200 characters");
    }
    for (String output : s.getRequestedOutputs()) {
      if (!output.matches(OUTPUT)) {
        return dead("INVALID_OUTPUTS", "an output name must match " + OUTPUT + ": " + output);
      }
    }
    if (s.getPriority() < -10 || s.getPriority() > 10) {
      return dead("INVALID_PRIORITY", "priority must be -10..10, was " + s.getPriority());
    }
    return tenants.exists(tenant)
        .compose(exists -> exists ? source(tenant, s.getAudio())
            : dead("UNKNOWN_TENANT", "no tenant " + tenant))
        .compose(source -> submissions.submit(new Submissions.Request(tenant, JobIds.forKey(tenant, submissionId),
            source, s.getRequestedOutputs(), s.getPriority(),
            s.getMetadata() == null ? Map.of() : s.getMetadata(), s.getModelVersions(), submissionId)))
        .map(submitted -> {
          log.atInfo().addKeyValue("tenant", tenant).addKeyValue("jobId", submitted.state().jobId())
              .addKeyValue("partnerSubmissionId", submissionId)
              .log(submitted.created() ? "partner submission accepted" : "partner submission repeated");
          return null;
        });
  }

  private Future<AudioSource> source(String tenant, Object audio) {
    if (audio instanceof AudioUrl url) {
      return urlPolicy.check(url.getUrl()).map(uri -> AudioSource.url(uri.toString())).recover(err ->
          err instanceof ApiError api ? dead(api.code(), api.getMessage()) : Future.failedFuture(err));
    }
    if (audio instanceof AudioObjectKey key) {
      try {
        ArtifactKey parsed = ArtifactKey.parse(key.getObjectKey());
        if (!parsed.tenant().equals(tenant)) {
          return dead("INVALID_OBJECT_KEY", "the object key is not the tenant's: " + key.getObjectKey());
        }
        return Future.succeededFuture(AudioSource.objectKey(parsed.path()));
      } catch (IllegalArgumentException e) {
        return dead("INVALID_OBJECT_KEY", e.getMessage());
      }
    }
    return dead("INVALID_AUDIO", "audio is neither a URL nor an object key");
  }

  private static <T> Future<T> dead(String code, String message) {
    return Future.failedFuture(new DeadLetter(code, message));
  }
}
