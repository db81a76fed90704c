package io.songmap.loadtests.upload;

import static io.songmap.loadtests.Bench.await;
import static io.songmap.loadtests.Bench.freshDatabase;
import ch.qos.logback.classic.Level;
import io.songmap.gateway.auth.Tenants;
import io.songmap.loadtests.websocket.GatewayProcess;
import io.songmap.testkit.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The upload benchmark: {@code load-tests/run upload --help}. One file of random bytes goes through
 * {@code POST /api/v1/jobs} as multipart/form-data to a gateway in a JVM of its own ({@link GatewayProcess}), which
 * streams it into its local artifact store. It measures the upload's rate as the client sees it (request start to
 * the 202) and how much the gateway's heap grows meanwhile: the most heap left by any collection during the
 * upload minus the heap used after a full collection just before it (where no collection ran, the most heap used
 * at any moment, sampled every 2 ms). The peak of heap used, garbage included, and the bytes the gateway allocated
 * are logged beside it.
 */
public final class Main {
  private static final String DATABASE = "songmap_bench_upload";
  private static final String TENANT = "bench";
  private static final long MIB = 1024L * 1024L;

  record Options(int megabytes, String pgUrl, List<String> gatewayJvm) {
    static String help() {
      return String.join("\n",
          "load-tests/run upload [options]",
          "  Uploads a file of random bytes through POST /api/v1/jobs (multipart) to the gateway in a child JVM",
          "  (PostgreSQL database " + DATABASE + ", created if missing, tables fresh; no Kafka; upload limit",
          "  raised for the run; artifacts and the file in temporary directories, deleted afterwards). Prints:",
          "  upload: <MB> MB, <MB/s> MB/s, heap growth <MB> MB",
          "  (MB are MiB; heap growth: the most heap a collection during the upload left in the gateway, minus its",
          "  heap after a full GC before the upload; the raw peak and the bytes allocated are logged on stderr)",
          "",
          "  --mb N   size of the file in MiB (default 1024)",
          "  Gateway JVM options: GATEWAY_JAVA_OPTS (default -Xmx1g). PostgreSQL: SONGMAP_PG_URL",
          "  (postgresql://user[:password]@host[:port]/db; the db part is replaced), default " + TestPostgres.DEFAULT_URL);
    }

    static Options parse(String[] args) {
      int mb = 1024;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--mb" -> mb = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + help());
        }
        i++;
      }
      if (mb < 1) {
        throw new IllegalArgumentException("--mb must be positive\n" + help());
      }
      String url = System.getenv().getOrDefault("SONGMAP_PG_URL", TestPostgres.DEFAULT_URL);
      List<String> jvm = Arrays.stream(System.getenv().getOrDefault("GATEWAY_JAVA_OPTS", "-Xmx1g").trim().split("\\s+"))
          .filter(s -> !s.isEmpty()).toList();
      return new Options(mb, url, jvm);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(Options.help());
      return;
    }
    io.songmap.loadtests.Bench.logToStderr(Level.WARN);
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("songmap-bench-upload");
    int code = 0;
    try {
      run(options, work);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      deleteTree(work);
    }
    System.exit(code);
  }

  private static void run(Options options, Path work) throws Exception {
    PgConnectOptions pg = TestPostgres.parse(options.pgUrl()).setDatabase(DATABASE);
    String url = pgUrl(pg);
    Vertx vertx = Vertx.vertx();
    String apiKey;
    try {
      freshDatabase(pg);
      apiKey = await(Tenants.create(vertx, url, TENANT)).apiKey();
    } finally {
      await(vertx.close());
    }

    Path file = work.resolve("song.bin");
    long t0 = System.nanoTime();
    long bytes = writeRandom(file, options.megabytes() * MIB);
    log("%d MiB of random bytes written in %.1f s", options.megabytes(), (System.nanoTime() - t0) / 1e9);

    Path artifacts = Files.createDirectory(work.resolve("artifacts"));
    try (GatewayProcess gateway = GatewayProcess.start(Map.of(
        "SONGMAP_PG_URL", url,
        "SONGMAP_KAFKA_BOOTSTRAP", "none",
        "SONGMAP_GATEWAY_HOST", "127.0.0.1",
        "SONGMAP_GATEWAY_PORT", "0",
        "SONGMAP_GATEWAY_MAX_UPLOAD_MB", Integer.toString(options.megabytes() + 64),
        "SONGMAP_ARTIFACTS_DIR", artifacts.toString()), options.gatewayJvm())) {
      log("gateway (pid %d, %s) on port %d", gateway.pid(), String.join(" ", options.gatewayJvm()), gateway.port());
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30)).build();
      URI jobs = URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/jobs");
      // A small upload first, so that what the big one measures is not the first request's class loading.
      Path small = work.resolve("small.bin");
      writeRandom(small, 64 * 1024);
      HttpResponse<String> warm = client.send(multipart(jobs, apiKey, small), HttpResponse.BodyHandlers.ofString());
      log("warm-up upload of 64 KiB: %d", warm.statusCode());

      long baseline = Long.parseLong(gateway.ask("gc"));
      gateway.ask("peak-reset");
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(multipart(jobs, apiKey, file), HttpResponse.BodyHandlers.ofString());
      double seconds = (System.nanoTime() - start) / 1e9;
      String[] peak = gateway.ask("peak").split(" ");
      long after = Long.parseLong(gateway.ask("gc"));
      if (response.statusCode() != 202) {
        throw new IllegalStateException("the upload was answered " + response.statusCode() + ": " + response.body());
      }
      long stored;
      try (Stream<Path> files = Files.walk(artifacts)) {
        stored = files.filter(Files::isRegularFile).mapToLong(Main::size).max().orElse(0);
      }
      long peakUsed = Long.parseLong(peak[0]);
      long peakAfterGc = Long.parseLong(peak[1]);
      long collections = Long.parseLong(peak[2]);
      long allocated = Long.parseLong(peak[3]);
      // What the upload keeps on the heap is what collections during it leave; the peak of "used" also counts
      // garbage awaiting the next young collection, which is as large as the collector lets eden grow.
      long grown = collections > 0 ? peakAfterGc - baseline : peakUsed - baseline;
      log("%d bytes sent in %.2f s; the gateway stored %d bytes; gateway heap: %.1f MiB after a full GC before;"
          + " during: %d collections, at most %.1f MiB left by one, peak used %.1f MiB (sampled every 2 ms, garbage"
          + " included), %.0f MiB allocated (%.2f bytes per byte uploaded); %.1f MiB after a full GC after", bytes,
          seconds, stored, baseline / (double) MIB, collections, peakAfterGc / (double) MIB, peakUsed / (double) MIB,
          allocated / (double) MIB, allocated / (double) bytes, after / (double) MIB);
      System.out.printf(Locale.ROOT, "upload: %d MB, %.1f MB/s, heap growth %.0f MB%n", options.megabytes(),
          options.megabytes() / seconds, Math.max(0, grown) / (double) MIB);
    }
  }

  private static HttpRequest multipart(URI uri, String apiKey, Path file) throws IOException {
    String boundary = "songmap-bench-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"outputs\"\r\n\r\nmusicxml\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"song.mp3\"\r\n"
        + "Content-Type: audio/mpeg\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + apiKey)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .timeout(Duration.ofMinutes(10))
        .POST(HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofString(head, StandardCharsets.US_ASCII),
            HttpRequest.BodyPublishers.ofFile(file),
            HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.US_ASCII)))
        .build();
  }

  /** Writes {@code bytes} of pseudo-random data (a fresh random MiB at a time, nothing that compresses). */
  private static long writeRandom(Path file, long bytes) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    ByteBuffer block = ByteBuffer.allocate((int) Math.min(bytes, MIB));
    long written = 0;
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (written < bytes) {
        block.clear();
        int n = (int) Math.min(block.capacity(), bytes - written);
        for (int i = 0; i + 8 <= n; i += 8) {
          block.putLong(i, random.nextLong());
        }
        block.limit(n);
        while (block.hasRemaining()) {
          written += out.write(block);
        }
      }
    }
    return written;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Deletes the temporary directory this run made, and everything in it. */
  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log("could not delete %s: %s", root, e);
    }
  }

  private static String pgUrl(PgConnectOptions o) {
    String auth = o.getUser() + (o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword());
    return "postgresql://" + auth + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }



  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
