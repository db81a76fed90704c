package io.songmap.loadtests.eventstore;

import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU used during a phase, measured the way the peer benchmark does: this JVM, the PostgreSQL processes serving it
 * (its backends by pid, plus PostgreSQL's background processes), and everything else on the machine.
 */
final class CpuMeter {
  private final List<Integer> pgPids;
  private final java.util.Set<Integer> backends;
  private final long wall = System.nanoTime();
  private final long jvm = jvmCpu();
  private final long jit = jitMillis();
  private final long[] machine = machineJiffies();
  private final Map<Integer, Long> pg;

  /** {@code backends}: the pids serving this JVM, a subset of {@code pgPids}. */
  CpuMeter(List<Integer> pgPids, java.util.Set<Integer> backends) {
    this.pgPids = pgPids;
    this.backends = backends;
    this.pg = pgTicks();
  }

  private static long jvmCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Time the JIT compilers have spent so far, summed over their threads. */
  static long jitMillis() {
    var c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
  }

  /** {user+nice+system, irq+softirq, total} jiffies from /proc/stat. */
  private static long[] machineJiffies() {
    String[] f = firstLine("/proc/stat").trim().split("\\s+");
    if (f.length < 8) {
      return new long[3];
    }
    long procs = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
    long irq = Long.parseLong(f[6]) + Long.parseLong(f[7]);
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {procs, irq, procs + irq + idle};
  }

  private Map<Integer, Long> pgTicks() {
    Map<Integer, Long> ticks = new HashMap<>();
    for (int pid : pgPids) {
      String stat = firstLine("/proc/" + pid + "/stat");
      if (!stat.isEmpty()) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
      }
    }
    return ticks;
  }

  private static String firstLine(String file) {
    try (BufferedReader r = Files.newBufferedReader(Path.of(file))) {
      String l = r.readLine();
      return l == null ? "" : l;
    } catch (Exception e) {
      return "";
    }
  }

  /** Busy cores of the whole machine over {@code window}. */
  static double machineBusyCores(java.time.Duration window) throws InterruptedException {
    long[] a = machineJiffies();
    Thread.sleep(window.toMillis());
    long[] b = machineJiffies();
    long total = b[2] - a[2];
    return total == 0 ? 0 : Runtime.getRuntime().availableProcessors() * (double) (b[0] + b[1] - a[0] - a[1]) / total;
  }

  String done(long ops, String opName) {
    double wallS = (System.nanoTime() - wall) / 1e9;
    long[] m = machineJiffies();
    Map<Integer, Long> pgEnd = pgTicks();
    double jvmCores = (jvmCpu() - jvm) / 1e9 / wallS;
    long ticks = 0;
    long backendTicks = 0;
    for (Map.Entry<Integer, Long> e : pgEnd.entrySet()) {
      long t = e.getValue() - pg.getOrDefault(e.getKey(), 0L);
      ticks += t;
      if (backends.contains(e.getKey())) {
        backendTicks += t;
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    double perJiffy = m[2] == machine[2] ? 0 : (double) cores / (m[2] - machine[2]);
    double procs = (m[0] - machine[0]) * perJiffy;
    double irq = (m[1] - machine[1]) * perJiffy;
    double pgCores = ticks / 100.0 / wallS;
    double perOpUs = ops == 0 ? 0 : 1e6 * wallS / ops;
    double backendCores = backendTicks / 100.0 / wallS;
    return String.format(Locale.ROOT, "cpu per %s: jvm %.0f + pg %.0f us (our backends %.0f, background %.0f);"
            + " cpu cores: jvm %.2f (JIT compiling %.2f), pg %.2f, irq %.2f, other procs %.2f, of %d", opName,
        jvmCores * perOpUs, pgCores * perOpUs, backendCores * perOpUs, (pgCores - backendCores) * perOpUs, jvmCores,
        (jitMillis() - jit) / 1000.0 / wallS, pgCores, irq, Math.max(0, procs - jvmCores - pgCores), cores);
  }
}
