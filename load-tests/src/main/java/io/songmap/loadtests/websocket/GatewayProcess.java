package io.songmap.loadtests.websocket;

import ch.qos.logback.classic.Level;
import io.songmap.loadtests.ChildJvm;
import com.sun.management.GarbageCollectionNotificationInfo;
import io.songmap.gateway.Gateway;
import io.songmap.gateway.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The gateway in a JVM of its own, started with this JVM's classpath. What the benchmarks measure of the server
 * (resident memory, heap) is then the gateway's alone, not the load driver's, and the driver's client sockets do
 * not count against the server's file descriptor limit.
 *
 * <p>The child reads its settings from the environment ({@link GatewayConfig#fromEnv()}), prints {@code port <n>}
 * once listening, then answers one line per question on stdin: {@code rss} (VmRSS and VmHWM in kB), {@code gc}
 * (heap used in bytes after a full collection), {@code peak-reset}, {@code peak} (since the last reset: the most heap
 * used, sampled every 2 ms, and the most left after any collection, both in bytes; the number of collections; the
 * bytes allocated by the threads alive now). It stops when stdin closes, so
 * it never outlives the driver.
 */
public final class GatewayProcess implements AutoCloseable {
  private final ChildJvm child;
  private final int port;

  private GatewayProcess(ChildJvm child, int port) {
    this.child = child;
    this.port = port;
  }

  /** Starts the child with {@code env} added to this process's environment; returns once it listens. */
  public static GatewayProcess start(Map<String, String> env, List<String> jvmOptions) throws IOException {
    ChildJvm child = ChildJvm.start(GatewayProcess.class, jvmOptions, List.of(), env,
        ProcessBuilder.Redirect.INHERIT, "port ");
    return new GatewayProcess(child, Integer.parseInt(child.ready()));
  }

  public int port() {
    return port;
  }

  public long pid() {
    return child.pid();
  }

  /** Sends one question and returns the child's one-line answer. */
  public String ask(String question) {
    return child.ask(question);
  }

  /** Resident set size of the gateway process now, in kB. */
  public long rssKb() {
    return Long.parseLong(ask("rss").split(" ")[0]);
  }

  @Override
  public void close() {
    child.close();
  }

  /** The child: runs the gateway and answers the driver's questions. */
  public static void main(String[] args) throws Exception {
    io.songmap.loadtests.Bench.logToStderr(Level.WARN);
    Vertx vertx = Vertx.vertx();
    Gateway gateway = Gateway.start(vertx, GatewayConfig.fromEnv()).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    HeapWatch heap = new HeapWatch();
    System.out.println("port " + gateway.port());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String answer = switch (line.trim()) {
        case "rss" -> procStatusKb("VmRSS") + " " + procStatusKb("VmHWM");
        case "gc" -> Long.toString(heap.usedAfterFullGc());
        case "peak-reset" -> {
          heap.reset();
          yield "ok";
        }
        case "peak" -> heap.peak() + " " + heap.peakAfterGc() + " " + heap.collections() + " " + heap.allocated();
        default -> "unknown question " + line;
      };
      System.out.println(answer);
      System.out.flush();
    }
    heap.stop();
    try {
      gateway.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      System.exit(0);
    }
  }

  /** A field of /proc/self/status in kB (-1 where there is none). */
  static long procStatusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /**
   * Heap used: sampled every 2 ms for the peak (garbage not yet collected included), and as each collection leaves
   * it (what is still reachable, plus old-generation garbage a young collection does not look at).
   */
  private static final class HeapWatch {
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final Set<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName)
        .collect(Collectors.toSet());
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private Map<Long, Long> allocatedAtReset = Map.of();
    private final Thread sampler;
    private volatile boolean running = true;

    HeapWatch() {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener((notification, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
              return;
            }
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long after = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
              if (heapPoolNames.contains(e.getKey())) {
                after += e.getValue().getUsed();
              }
            }
            peakAfterGc.accumulateAndGet(after, Math::max);
            collections.incrementAndGet();
          }, null, null);
        }
      }
      sampler = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(used(), Math::max);
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    private long used() {
      long used = 0;
      for (MemoryPoolMXBean pool : heapPools) {
        used += pool.getUsage().getUsed();
      }
      return used;
    }

    long usedAfterFullGc() {
      System.gc();
      return used();
    }

    void reset() {
      long now = used();
      peak.set(now);
      peakAfterGc.set(0);
      collections.set(0);
      allocatedAtReset = allocatedByThread();
    }

    private Map<Long, Long> allocatedByThread() {
      long[] ids = threads.getAllThreadIds();
      long[] bytes = threads.getThreadAllocatedBytes(ids);
      Map<Long, Long> byThread = new java.util.HashMap<>();
      for (int i = 0; i < ids.length; i++) {
        if (bytes[i] >= 0) {
          byThread.put(ids[i], bytes[i]);
        }
      }
      return byThread;
    }

    long allocated() {
      long total = 0;
      for (Map.Entry<Long, Long> e : allocatedByThread().entrySet()) {
        total += e.getValue() - allocatedAtReset.getOrDefault(e.getKey(), 0L);
      }
      return total;
    }

    long collections() {
      return collections.get();
    }

    long peak() {
      return peak.get();
    }

    long peakAfterGc() {
      return peakAfterGc.get();
    }

    void stop() {
      running = false;
      sampler.interrupt();
    }
  }

}
