package io.songmap.loadtests;

import ch.qos.logback.classic.Level;
import io.songmap.testkit.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kafka broker (single-node KRaft) in a JVM of its own, as in a deployment, so that its garbage collections and
 * JIT compilations do not stop the benchmark's JVM. The parent talks to it over the child's stdin and stdout: the
 * child prints {@code bootstrap <servers>} once it accepts clients, answers {@code jit} with
 * {@code jit <milliseconds compiled so far>}, and stops when its stdin closes (so it never outlives the parent).
 */
public final class BrokerProcess implements AutoCloseable {
  private static final String BOOTSTRAP = "bootstrap ";
  private static final String JIT = "jit";

  private final ChildJvm child;

  private BrokerProcess(ChildJvm child) {
    this.child = child;
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
    List<String> args = new ArrayList<>();
    brokerConfig.forEach((k, v) -> args.add(k + "=" + v));
    return new BrokerProcess(ChildJvm.start(BrokerProcess.class, jvmOptions, args, Map.of(),
        ProcessBuilder.Redirect.appendTo(log.toFile()), BOOTSTRAP));
  }

  public String bootstrapServers() {
    return child.ready();
  }

  public long pid() {
    return child.pid();
  }

  /** Milliseconds the child's JIT compilers have spent so far. */
  public long jitMillis() {
    String answer = child.ask(JIT);
    if (!answer.startsWith(JIT + " ")) {
      throw new IllegalStateException("the broker JVM answered " + answer);
    }
    return Long.parseLong(answer.substring(JIT.length() + 1).trim());
  }

  /** CPU time (user + system) the child has used so far, in nanoseconds, from {@code /proc/<pid>/stat}. */
  public long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(child.pid()), "stat"));
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
    child.close();
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
