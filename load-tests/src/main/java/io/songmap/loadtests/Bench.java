package io.songmap.loadtests;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** What every benchmark command needs: waiting on futures, quiet logs, machine load, a fresh database. */
public final class Bench {
  private Bench() {}

  /** Waits for a future from a benchmark's main thread (never an event loop), up to 30 minutes. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Figures go to stdout; log lines go to stderr, at {@code level} and above. */
  public static void logToStderr(Level level) {
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(appender);
  }

  /** Busy and total jiffies of the whole machine, from /proc/stat ({0, 0} where there is none). */
  public static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /**
   * CPU ticks (1/100 s) spent so far by the kernel's DAMON threads ({@code kdamond.*}), or -1 where there are none.
   * On VMs whose kernel runs a DAMON page-out scheme, these threads walk the physical memory every few seconds and
   * take a vCPU while they do; how long depends on how much memory the processes hold in 4 KiB pages.
   */
  public static long kdamondTicks() {
    return processTicks(proc -> Files.readString(proc.resolve("comm")).startsWith("kdamond"));
  }

  /** Which processes {@link #processTicks} counts: given a {@code /proc/<pid>} folder. */
  @FunctionalInterface
  public interface ProcessMatch {
    boolean test(Path proc) throws IOException;
  }

  /**
   * CPU ticks (1/100 s, user + system) spent so far by the processes that match, from {@code /proc/<pid>/stat};
   * -1 where none matches.
   */
  public static long processTicks(ProcessMatch match) {
    long ticks = -1;
    java.io.File[] procs = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
    for (java.io.File proc : procs == null ? new java.io.File[0] : procs) {
      try {
        if (!match.test(proc.toPath())) {
          continue;
        }
        String stat = Files.readString(proc.toPath().resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks = Math.max(ticks, 0) + Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        // a process that ended meanwhile
      }
    }
    return ticks;
  }

  /** Creates the database if the server lacks it, and empties its public schema. */
  public static void freshDatabase(PgConnectOptions target) {
    Vertx v = Vertx.vertx();
    try {
      Pool admin = PgBuilder.pool().connectingTo(new PgConnectOptions(target).setDatabase("postgres")).using(v).build();
      boolean exists = await(admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
          .execute(Tuple.of(target.getDatabase()))).size() > 0;
      if (!exists) {
        System.err.println("creating database " + target.getDatabase());
        await(admin.query("CREATE DATABASE " + target.getDatabase()).execute());
      }
      await(admin.close());
      Pool db = PgBuilder.pool().connectingTo(target).using(v).build();
      await(db.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public").execute());
      await(db.close());
    } finally {
      await(v.close());
    }
  }
}
