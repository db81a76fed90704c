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
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
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
    description = {"Rebuilds a projection from the event log and swaps it in.",
        "Replays the log from position zero into a fresh table, then swaps it in",
        "(rows and checkpoint in one transaction) and prints events/s and the row",
        "count. Needs only PostgreSQL (--pg-url).",
        "Only the owner of a projection's lease may swap its table, and running",
        "gateways hold the lease of job-status: stop them first (they catch up",
        "from the checkpoint when they come back), or let --wait cover the time",
        "a crashed one's lease needs to expire.",
        "Projections: job-status (the job_status table behind GET /api/v1/jobs)."})
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
    String name = projection.replace('_', '-');
    Function<PgEventStore, Projection> factory = PROJECTIONS.get(name);
    if (factory == null) {
      err.println("songmap replay: unknown projection " + projection + "; known: " + PROJECTIONS.keySet());
      return CommandLine.ExitCode.USAGE;
    }
    Settings settings = pg.settings();
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions database = Postgres.resolve(vertx, settings);
      Pool pool = PgOptions.quietPool(vertx, database, 4);
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
        out.printf("%s: rebuilding from position 0 into a fresh table...%n", name);
        out.flush();
        long start = System.nanoTime();
        Node.await(runner.rebuild(), "rebuilding " + name);
        double seconds = (System.nanoTime() - start) / 1e9;
        long rows = Node.await(pool.query("SELECT count(*) FROM " + counting.table()).execute(),
            "counting rows").iterator().next().getLong(0);
        long events = counting.replayed.get();
        out.printf("%s: %d events replayed in %.2f s (%.0f events/s); table %s swapped in with %d rows%n", name,
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
