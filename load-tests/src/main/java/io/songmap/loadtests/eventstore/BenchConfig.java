package io.songmap.loadtests.eventstore;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Options of the event store benchmark, parsed once from {@code --name value} arguments. Defaults match the
 * workloads of {@code ../shared/peers/axon-jdbc}.
 */
record BenchConfig(String url, int writers, int streams, int eventsPerStream, int batch, int reads,
    int[] readConcurrency, double readMinSeconds, int maxSeconds, int warmupStreams, int warmupSeconds,
    int payloadBytes, int poolSize, int pageSize, boolean notifyOnAppend, boolean parseOnReadAll, int eventLoops, int appendConcurrency,
    int maxAppendsPerBatch, int quietWaitSeconds) {

  static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/songmap_bench";

  /** Option name, default, description: the source of both the parser and {@code --help}. */
  private static final String[][] OPTIONS = {
      {"url", "$SONGMAP_PG_URL with database songmap_bench, else " + DEFAULT_URL,
          "PostgreSQL to run against; the database is created when missing"},
      {"writers", "8", "concurrent writers in the append phases"},
      {"streams", "10000", "streams per measured pass"},
      {"events", "10", "events per stream"},
      {"batch", "10", "events per append in the batched phase (append-<batch>)"},
      {"reads", "1000", "random streams (fixed seed) read per stream-read phase"},
      {"read-concurrency", "1,8", "concurrent readers of the stream-read phases; the last one is printed"},
      {"read-min-seconds", "3", "read phases repeat their work until this long has passed"},
      {"max-seconds", "120", "bound per measured phase"},
      {"warmup-streams", "2000", "streams in the warm-up pass (0: no warm-up)"},
      {"warmup-seconds", "15", "bound per warm-up phase"},
      {"payload-bytes", "500", "size of each event's JSON payload"},
      {"pool", "writers", "connections in the pool"},
      {"page-size", "5000", "events per page in read-all"},
      {"notify", "true", "appends NOTIFY subscribers (as in production); false turns it off"},
      {"parse", "false", "read-all parses every payload into a JsonObject (stream reads always do)"},
      {"event-loops", "2", "Vert.x event loop threads"},
      {"append-concurrency", "1", "append statements at once; appends arriving meanwhile go together in one"
          + " transaction (0: every append alone)"},
      {"max-batch", "64", "the most appends sent together"},
      {"quiet-wait-seconds", "120", "before measuring, wait at most this long for other processes to use under"
          + " 0.25 cores (as the peer's run.sh does)"},
  };

  static String help() {
    StringBuilder b = new StringBuilder("""
        load-tests/run eventstore [--option value ...]

        Event store workloads against PostgreSQL, the same as ../shared/peers/axon-jdbc: append-1 (one event per
        append), append-<batch>, read-streams (random whole streams), read-all (the global log from the start).
        Every phase starts from empty tables; a smaller warm-up pass runs first and is not reported.
        Prints one line per workload on stdout; details (CPU per operation, latencies of other phases) on stderr.

        Options:
        """);
    for (String[] o : OPTIONS) {
      b.append(String.format(Locale.ROOT, "  --%-18s %s (default: %s)%n", o[0], o[2], o[1]));
    }
    return b.toString();
  }

  static BenchConfig parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      String key = name;
      if (Arrays.stream(OPTIONS).noneMatch(o -> o[0].equals(key))) {
        throw new IllegalArgumentException("unknown option --" + name + " (see --help)");
      }
      values.put(name, value);
    }
    String envUrl = System.getenv("SONGMAP_PG_URL");
    String url = values.getOrDefault("url",
        envUrl == null ? DEFAULT_URL : envUrl.replaceFirst("/[^/]*$", "/songmap_bench"));
    int writers = Integer.parseInt(values.getOrDefault("writers", "8"));
    int[] readConcurrency = Arrays.stream(values.getOrDefault("read-concurrency", "1," + writers).split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    return new BenchConfig(url, writers,
        Integer.parseInt(values.getOrDefault("streams", "10000")),
        Integer.parseInt(values.getOrDefault("events", "10")),
        Integer.parseInt(values.getOrDefault("batch", "10")),
        Integer.parseInt(values.getOrDefault("reads", "1000")),
        readConcurrency,
        Double.parseDouble(values.getOrDefault("read-min-seconds", "3")),
        Integer.parseInt(values.getOrDefault("max-seconds", "120")),
        Integer.parseInt(values.getOrDefault("warmup-streams", "2000")),
        Integer.parseInt(values.getOrDefault("warmup-seconds", "15")),
        Integer.parseInt(values.getOrDefault("payload-bytes", "500")),
        Integer.parseInt(values.getOrDefault("pool", String.valueOf(writers))),
        Integer.parseInt(values.getOrDefault("page-size", "5000")),
        Boolean.parseBoolean(values.getOrDefault("notify", "true")),
        Boolean.parseBoolean(values.getOrDefault("parse", "false")),
        Integer.parseInt(values.getOrDefault("event-loops", "2")),
        Integer.parseInt(values.getOrDefault("append-concurrency", "1")),
        Integer.parseInt(values.getOrDefault("max-batch", "64")),
        Integer.parseInt(values.getOrDefault("quiet-wait-seconds", "120")));
  }

  BenchConfig {
    if (writers < 1 || streams < 1 || eventsPerStream < 1 || batch < 1 || reads < 1 || poolSize < 1
        || pageSize < 1 || maxSeconds < 1 || eventLoops < 1 || payloadBytes < 0 || readConcurrency.length == 0
        || appendConcurrency < 0 || maxAppendsPerBatch < 1) {
      throw new IllegalArgumentException("counts and sizes must be positive");
    }
  }

  int maxReadConcurrency() {
    return Arrays.stream(readConcurrency).max().orElse(1);
  }
}
