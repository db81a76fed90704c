package io.songmap.gateway.submit;

import io.songmap.job.AudioSource;
import io.songmap.job.JobCommand;
import io.songmap.job.JobRejection;
import io.songmap.job.JobState;
import io.songmap.stages.jobs.JobCommands;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits jobs for the HTTP API and the partner intake alike: SubmitJob through the job's command handler, with
 * a repeated submission of an existing job (same idempotency key) answered with that job instead of a rejection.
 */
public final class Submissions {
  private static final Logger log = LoggerFactory.getLogger(Submissions.class);
  private final JobCommands commands;
  private final Clock clock;

  public Submissions(JobCommands commands, Clock clock) {
    this.commands = commands;
    this.clock = clock;
  }

  /** What a submission did: the job's state, and whether this submission created it. */
  public record Submitted(JobState state, boolean created) {}

  /** What to submit. */
  public record Request(String tenant, String jobId, AudioSource source, List<String> outputs, int priority,
      Map<String, String> metadata, Map<String, String> modelVersions, String correlationId) {}

  public Future<Submitted> submit(Request r) {
    JobCommand.SubmitJob command = new JobCommand.SubmitJob(r.jobId(), r.tenant(), r.source(), r.outputs(),
        r.priority(), r.metadata(), r.modelVersions(), clock.instant());
    return commands.handle(r.tenant(), command, new JobCommands.Meta(r.correlationId(), null))
        .map(outcome -> {
          // Key-values become fields of structured (JSON) log lines.
          log.atInfo().addKeyValue("tenant", r.tenant()).addKeyValue("jobId", r.jobId())
              .addKeyValue("source", r.source().kind().name()).log("job submitted");
          return new Submitted(outcome.state(), true);
        })
        .recover(err -> err instanceof JobRejection.JobAlreadyExists
            ? commands.load(r.tenant(), r.jobId()).map(state -> new Submitted(state, false))
            : Future.failedFuture(err));
  }

  /** The job's current state from its events (empty state when the tenant has no such job). */
  public Future<JobState> load(String tenant, String jobId) {
    return commands.load(tenant, jobId);
  }
}
