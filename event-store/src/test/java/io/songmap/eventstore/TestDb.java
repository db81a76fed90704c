package io.songmap.eventstore;

import io.songmap.eventstore.postgres.PgEventStore;
import io.songmap.eventstore.postgres.PgEventStoreOptions;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test database and the "processes" that use it: each {@link Proc} has its own Vert.x instance and pool, so
 * closing one is what a crash looks like to PostgreSQL.
 */
public final class TestDb implements AutoCloseable {
  public final PgConnectOptions options;
  private final List<Proc> procs = new ArrayList<>();
  private Proc observer;

  public TestDb(String owner) {
    this.options = TestPostgres.freshDatabase(owner);
  }

  public Proc process(PgEventStoreOptions storeOptions) {
    Proc p = new Proc(options, storeOptions);
    synchronized (procs) {
      procs.add(p);
    }
    return p;
  }

  public Proc process() {
    return process(PgEventStoreOptions.DEFAULT);
  }

  /** Runs {@code sql} on a pool of the test's own, outside every simulated process. */
  public List<Row> rows(String sql) {
    Proc p;
    synchronized (this) {
      if (observer == null) {
        observer = new Proc(options, null);
      }
      p = observer;
    }
    List<Row> out = new ArrayList<>();
    await(p.pool.query(sql).execute()).forEach(out::add);
    return out;
  }

  @Override
  public void close() {
    synchronized (procs) {
      procs.forEach(Proc::close);
    }
    synchronized (this) {
      if (observer != null) {
        observer.close();
      }
    }
  }

  public static <T> T await(Future<T> future) {
    return await(future, Duration.ofSeconds(60));
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One simulated process: a Vert.x instance, a pool and a store (schema migrated). */
  public static final class Proc implements AutoCloseable {
    public final Vertx vertx = Vertx.vertx();
    public final Pool pool;
    public final PgEventStore store;
    private boolean closed;

    Proc(PgConnectOptions options, PgEventStoreOptions storeOptions) {
      pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(options).using(vertx).build();
      store = storeOptions == null ? null : await(PgEventStore.start(pool, storeOptions));
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        await(vertx.close());
      }
    }
  }
}
