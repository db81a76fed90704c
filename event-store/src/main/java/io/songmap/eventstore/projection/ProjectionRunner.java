package io.songmap.eventstore.projection;

import io.songmap.eventstore.Position;
import io.songmap.eventstore.RecordedEvent;
import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.subscription.Checkpoints;
import io.songmap.eventstore.subscription.Subscription;
import io.songmap.eventstore.subscription.SubscriptionOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Projection} live on a {@link Subscription}, and rebuilds it: replays the log from the start into a
 * fresh table with side effects off, then, with the live subscription paused, applies what is left and swaps the
 * tables and the checkpoint in one transaction.
 */
public final class ProjectionRunner {
  private static final Logger log = LoggerFactory.getLogger(ProjectionRunner.class);
  private final PgEventStore store;
  private final Projection projection;
  private final Subscription subscription;

  private ProjectionRunner(Vertx vertx, PgEventStore store, PgConnectOptions listenOptions, Projection projection,
      SubscriptionOptions options) {
    this.store = store;
    this.projection = projection;
    this.subscription = Subscription.create(vertx, store, listenOptions, options.withFilter(projection.filter()),
        (tx, events) -> projection.apply(new ProjectionContext(tx, projection.table(), false), events));
  }

  /** Creates the live table if needed and starts the subscription named after the projection. */
  public static Future<ProjectionRunner> start(Vertx vertx, PgEventStore store, PgConnectOptions listenOptions,
      Projection projection, SubscriptionOptions options) {
    if (!options.name().equals(projection.name())) {
      throw new IllegalArgumentException("subscription name must be the projection's name " + projection.name());
    }
    ProjectionRunner runner = new ProjectionRunner(vertx, store, listenOptions, projection, options);
    return store.pool().withTransaction(tx -> projection.createTable(tx, projection.table()))
        .compose(v -> runner.subscription.start())
        .map(runner);
  }

  public Subscription subscription() {
    return subscription;
  }

  public Future<Void> stop() {
    return subscription.stop();
  }

  /**
   * Rebuilds the projection from position zero into a fresh table and swaps it in. Must run in the process that
   * owns the projection's subscription. The live projection keeps running meanwhile; the rebuild never reads past
   * the live checkpoint, so that every event after it still reaches the live projection with side effects on.
   * At the end, with the live projection paused, the rest up to its checkpoint is applied and the tables are
   * swapped, in one transaction.
   */
  public Future<Void> rebuild() {
    String fresh = projection.table() + "_r" + Long.toString(System.currentTimeMillis(), 36);
    log.info("projection {}: rebuilding into {}", projection.name(), fresh);
    return store.pool().withTransaction(tx -> projection.createTable(tx, fresh))
        .compose(v -> replayAhead(fresh))
        .compose(replayed -> subscription.pause()
            .compose(v -> subscription.fence())
            .compose(fence -> store.pool().withTransaction(tx -> replay(tx, fresh, replayed)
                .compose(end -> swap(tx, fresh, fence))))
            .eventually(subscription::resume))
        .onSuccess(v -> log.info("projection {}: rebuilt and swapped in", projection.name()))
        .onFailure(e -> store.pool().query("DROP TABLE IF EXISTS " + fresh).execute());
  }

  /**
   * The bulk of a rebuild: the log from the start up to where the live projection stood when it began, read ahead
   * ({@link PgEventStore#forEachPage}) and applied a page per transaction; returns the position reached.
   */
  private Future<Position> replayAhead(String table) {
    int pageSize = subscription.options().pageSize();
    Position[] reached = {Position.START};
    return Checkpoints.read(store.pool(), projection.name()).compose(live -> {
      if (live.compareTo(Position.START) <= 0) {
        return Future.succeededFuture(Position.START);
      }
      return store.forEachPage(Position.START, projection.filter(), pageSize, page -> {
        List<RecordedEvent> upToLive = page.stream().filter(e -> e.position().compareTo(live) <= 0).toList();
        if (upToLive.isEmpty()) {
          return Future.failedFuture(new PastLive());
        }
        return store.pool().withTransaction(t -> apply(t, table, upToLive)).map(v -> {
          reached[0] = upToLive.get(upToLive.size() - 1).position();
          if (upToLive.size() < page.size()) {
            throw new PastLive();
          }
          return null;
        });
      }).map(end -> reached[0]).recover(e -> e instanceof PastLive ? Future.succeededFuture(reached[0])
          : Future.failedFuture(e));
    });
  }

  /** Ends the read ahead of a rebuild once it has gone past the live checkpoint. */
  private static final class PastLive extends RuntimeException {
    PastLive() {
      super("past the live checkpoint", null, false, false);
    }
  }

  /**
   * Applies the events after {@code after} up to the live checkpoint to {@code table}, all in {@code tx}; returns
   * the position reached.
   */
  private Future<Position> replay(SqlConnection tx, String table, Position after) {
    int pageSize = subscription.options().pageSize();
    return Checkpoints.read(tx, projection.name()).compose(live -> {
      if (after.compareTo(live) >= 0) {
        return Future.succeededFuture(after);
      }
      return store.readAll(tx, after, projection.filter(), pageSize).compose(page -> {
        List<RecordedEvent> upToLive = page.events().stream().filter(e -> e.position().compareTo(live) <= 0)
            .toList();
        if (upToLive.isEmpty()) {
          return Future.succeededFuture(after);
        }
        Position reached = upToLive.get(upToLive.size() - 1).position();
        return apply(tx, table, upToLive).compose(v -> replay(tx, table, reached));
      });
    });
  }

  private Future<Void> apply(SqlConnection tx, String table, List<RecordedEvent> events) {
    return projection.apply(new ProjectionContext(tx, table, true), events);
  }

  /** Swaps the tables; the checkpoint stays where the live projection left it, if it still holds the lease. */
  private Future<Void> swap(SqlConnection tx, String fresh, long fence) {
    String live = projection.table();
    String old = live + "_o" + Long.toString(System.currentTimeMillis(), 36);
    return tx.query("ALTER TABLE " + live + " RENAME TO " + old).execute()
        .compose(v -> tx.query("ALTER TABLE " + fresh + " RENAME TO " + live).execute())
        .compose(v -> tx.query("DROP TABLE " + old).execute())
        .compose(v -> Checkpoints.read(tx, projection.name()))
        .compose(at -> Checkpoints.set(tx, projection.name(), subscription.options().owner(), fence, at));
  }
}
