package io.songmap.inference.cpu;

import io.songmap.inference.cpu.models.CpuModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cpu-server}: serves the Triton model contracts on CPU over KServe v2 gRPC. Options default
 * to the environment ({@link CpuServerConfig#fromEnv}), then to built-in defaults.
 */
@Command(name = "cpu-server", mixinStandardHelpOptions = true,
    description = "Serves htdemucs, drum_cnn, basic_pitch and whisper on CPU over Triton's KServe v2 gRPC protocol.")
public final class CpuServerMain implements Callable<Integer> {
  private final CpuServerConfig env = CpuServerConfig.fromEnv(System.getenv());

  @Option(names = "--port", description = "gRPC port (default ${DEFAULT-VALUE}, env SONGMAP_CPU_SERVER_PORT)")
  int port = env.port();

  @Option(names = "--threads", description = "worker threads that run models (default ${DEFAULT-VALUE}, env SONGMAP_CPU_SERVER_THREADS)")
  int threads = env.workerThreads();

  @Option(names = "--instances", description = "batches of one model running at once; default = --threads (env SONGMAP_CPU_SERVER_INSTANCES)")
  Integer instances;

  @Option(names = "--intra-op-threads", description = "threads ONNX Runtime may use inside one call (default ${DEFAULT-VALUE})")
  int intraOpThreads = 1;

  @Option(names = "--no-batching", negatable = false, description = "run every request alone (env SONGMAP_CPU_SERVER_BATCHING=false)")
  boolean noBatching = !env.batching().enabled();

  @Option(names = "--max-queue-delay-us", description = "how long a request waits for others to join its batch (default ${DEFAULT-VALUE} µs, env SONGMAP_CPU_SERVER_MAX_QUEUE_DELAY_US)")
  long maxQueueDelayMicros = env.batching().maxQueueDelay().toNanos() / 1_000;

  @Option(names = "--preferred-batch-sizes", split = ",", description = "batch sizes worth waiting for, e.g. 4,8 (env SONGMAP_CPU_SERVER_PREFERRED_BATCH_SIZES)")
  List<Integer> preferredBatchSizes = env.batching().preferredBatchSizes();

  @Option(names = "--max-queue-size", description = "requests queued per model before refusing (default ${DEFAULT-VALUE}, env SONGMAP_CPU_SERVER_MAX_QUEUE_SIZE)")
  int maxQueueSize = env.batching().maxQueueSize();

  @Override
  public Integer call() throws Exception {
    CpuServerConfig.Batching batching = new CpuServerConfig.Batching(!noBatching,
        Duration.ofNanos(maxQueueDelayMicros * 1_000), preferredBatchSizes, maxQueueSize);
    CpuServerConfig config = new CpuServerConfig(port, threads, instances == null ? threads : instances, batching,
        env.maxInboundMessageBytes(), env.shutdownGrace(), env.bearerToken());
    CpuServer server = CpuServer.start(config, CpuModels.defaults(intraOpThreads));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "cpu-server-shutdown"));
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new CpuServerMain()).execute(args));
  }
}
