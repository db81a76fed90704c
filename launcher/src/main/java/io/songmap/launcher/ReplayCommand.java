package io.songmap.launcher;

import io.songmap.eventstore.EventFilter;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.eventstore.projection.Projection;
import io.songmap.eventstore.projection.ProjectionContext;
import io.songmap.eventstore.projection.ProjectionRunner;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.songmap.gateway.status.JobStatusProjection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code songmap replay}: rebuilds a read model from the event log. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Rebuilds a projection from position zero of the event log into a fresh table and swaps it in",
        "(rows and checkpoint in one transaction), then prints events/s and the row count. Needs only",
        "PostgreSQL (SONGMAP_PG_URL, or the local server on 127.0.0.1:5432, database songmap).",
        "Only the owner of a projection's lease may swap its table, and a running gateway holds the lease",
        "of job-status: stop the gateways first (they catch up from the checkpoint when they come back),",
        "or let --wait cover the time their lease needs to expire after a crash.",
        "Projections: job-status (the gateway's job_status table, what GET /api/v1/jobs reads)."})
final class ReplayCommand implements Callable<Integer> {
  /** The projections this command knows, by the names operators type. */
  private static final Map<String, Function<PgEventStore, Projection>> PROJECTIONS = Map.of(
      "job-status", JobStatusProjection::new);

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  PgOptions pg;

  @Option(names = "--projection", required = true, paramLabel = "NAME", description = "the projection: job-status")
  String projection;

  @Option(names = "--wait", paramLabel = "SECONDS",
      description = "how long to wait for the projection's lease (default ${DEFAULT-VALUE})")
  long waitSeconds = 30;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Function<PgEventStore, Projection> factory = PROJECTIONS.get(projection.replace('_', '-'));
    if (factory == null) {
      err.println("songmap replay: unknown projection " + projection + "; known: " + PROJECTIONS.keySet());
      return CommandLine.ExitCode.USAGE;
    }
    Settings settings = pg.settings();
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions database = Postgres.resolve(vertx, settings);
      Pool pool = PgBuilder.pool().connectingTo(database).with(new PoolOptions().setMaxSize(4)).using(vertx).build();
      PgEventStore store = Node.await(PgEventStore.start(pool, PgEventStoreOptions.DEFAULT), "opening the event store");
      Counting counting = new Counting(factory.apply(store));
      String owner = "songmap-replay-" + ProcessHandle.current().pid();
      ProjectionRunner runner = Node.await(ProjectionRunner.start(vertx, store, database, counting,
          SubscriptionOptions.named(counting.name()).withOwner(owner)), "starting the projection");
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (!runner.subscription().isOwner()) {
          if (System.nanoTime() > deadline) {
            err.printf("songmap replay: another process holds the lease of %s (a running gateway?); stop it and"
                + " run this again, or wait longer with --wait%n", counting.name());
            return 1;
          }
          Thread.sleep(100);
        }
        out.printf("%s: rebuilding from position 0 into a fresh table...%n", projection);
        out.flush();
        long start = System.nanoTime();
        Node.await(runner.rebuild(), "rebuilding " + projection);
        double seconds = (System.nanoTime() - start) / 1e9;
        long rows = Node.await(pool.query("SELECT count(*) FROM " + counting.table()).execute(),
            "counting rows").iterator().next().getLong(0);
        long events = counting.replayed.get();
        out.printf("%s: %d events replayed in %.2f s (%.0f events/s); table %s swapped in with %d rows%n", projection,
            events, seconds, events / Math.max(seconds, 1e-3), counting.table(), rows);
        out.flush();
        return 0;
      } finally {
        Node.await(runner.stop(), "releasing the projection's lease");
        pool.close();
      }
    } catch (IllegalStateException e) {
      err.println("songmap replay: " + e.getMessage());
      return 1;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }
  }

  /** The projection, counting the events a rebuild applies (live pages are not counted). */
  private static final class Counting implements Projection {
    private final Projection delegate;
    final AtomicLong replayed = new AtomicLong();

    Counting(Projection delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public String table() {
      return delegate.table();
    }

    @Override
    public EventFilter filter() {
      return delegate.filter();
    }

    @Override
    public Future<Void> createTable(SqlConnection connection, String table) {
      return delegate.createTable(connection, table);
    }

    @Override
    public Future<Void> apply(ProjectionContext context, List<RecordedEvent> events) {
      return delegate.apply(context, events).onSuccess(v -> {
        if (context.rebuilding()) {
          replayed.addAndGet(events.size());
        }
      });
    }
  }
}
