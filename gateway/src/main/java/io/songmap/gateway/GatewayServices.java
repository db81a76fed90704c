package io.songmap.gateway;

import io.songmap.artifacts.ArtifactStore;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.gateway.auth.Tenants;
import io.songmap.gateway.live.LiveEvents;
import io.songmap.gateway.ops.Health;
import io.songmap.gateway.ops.Metrics;
import io.songmap.gateway.status.JobStatusQueries;
import io.songmap.gateway.submit.SourceUrlPolicy;
import io.songmap.gateway.submit.Submissions;
import io.songmap.stages.jobs.JobCommands;
import java.time.Clock;

/**
 * What every HTTP instance of a gateway shares; all of it is safe to use from several event loops.
 *
 * @param live {@code null} when Kafka is not configured
 */
record GatewayServices(GatewayConfig config, Clock clock, PgEventStore store, JobCommands commands, Tenants tenants,
    JobStatusQueries status, Submissions submissions, ArtifactStore artifacts, SourceUrlPolicy urlPolicy,
    LiveEvents live, Metrics metrics, Health health, Runnable slowClientDropped, byte[] openApi) {}
