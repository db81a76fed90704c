package io.songmap.loadtests;

import ch.qos.logback.classic.Level;
import io.songmap.testkit.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker (single-node KRaft) in a JVM of its own, as in a deployment, so that its garbage collections and
 * JIT compilations do not stop the benchmark's JVM. The parent talks to it over the child's stdin and stdout: the
 * child prints {@code bootstrap <servers>} once it accepts clients, answers {@code jit} with
 * {@code jit <milliseconds compiled so far>}, and stops when its stdin closes (so it never outlives the parent).
 */
public final class BrokerProcess implements AutoCloseable {
  private static final String BOOTSTRAP = "bootstrap ";
  private static final String JIT = "jit";

  private final Process process;
  private final BufferedReader replies;
  private final Writer requests;
  private final String bootstrapServers;

  private BrokerProcess(Process process, BufferedReader replies, Writer requests, String bootstrapServers) {
    this.process = process;
    this.replies = replies;
    this.requests = requests;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts the child JVM with this JVM's class path and waits until its broker accepts clients.
   *
   * @param jvmOptions options of the child JVM, e.g. its heap
   * @param brokerConfig broker settings on top of {@link EmbeddedKafka}'s
   * @param log where the child's stderr goes (its logs, at WARN and above)
   */
  public static BrokerProcess start(List<String> jvmOptions, Map<String, String> brokerConfig, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BrokerProcess.class.getName());
    brokerConfig.forEach((k, v) -> command.add(k + "=" + v));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    BufferedReader replies = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    Writer requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String line;
    do {
      line = replies.readLine(); // null: the child exited
    } while (line != null && !line.startsWith(BOOTSTRAP));
    if (line == null) {
      process.destroyForcibly();
      throw new IOException("the broker JVM did not start; its log: " + log);
    }
    return new BrokerProcess(process, replies, requests, line.substring(BOOTSTRAP.length()).trim());
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public long pid() {
    return process.pid();
  }

  /** Milliseconds the child's JIT compilers have spent so far. */
  public synchronized long jitMillis() {
    try {
      requests.write(JIT + "\n");
      requests.flush();
      String line = replies.readLine();
      if (line == null || !line.startsWith(JIT + " ")) {
        throw new IllegalStateException("the broker JVM answered " + line);
      }
      return Long.parseLong(line.substring(JIT.length() + 1).trim());
    } catch (IOException e) {
      throw new IllegalStateException("the broker JVM is gone", e);
    }
  }

  /** CPU time (user + system) the child has used so far, in nanoseconds, from {@code /proc/<pid>/stat}. */
  public long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // Fields after the command name (which may hold spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      return ticks * 10_000_000L; // USER_HZ = 100
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    try {
      requests.close(); // the child sees end of input and stops its broker
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The child's side: {@code key=value} broker settings as arguments. */
  public static void main(String[] args) throws IOException {
    Bench.logToStderr(Level.WARN);
    Map<String, String> config = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        System.err.println("broker settings are key=value, not " + arg);
        System.exit(2);
      }
      config.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(config)) {
      System.out.println(BOOTSTRAP + kafka.bootstrapServers());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals(JIT)) {
          var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
          System.out.println(JIT + " " + (jit != null && jit.isCompilationTimeMonitoringSupported()
              ? jit.getTotalCompilationTime() : 0));
          System.out.flush();
        }
      }
    }
    System.exit(0);
  }
}
