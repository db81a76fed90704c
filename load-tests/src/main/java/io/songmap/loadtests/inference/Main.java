package io.songmap.loadtests.inference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.CpuServer;
import io.songmap.inference.cpu.CpuServerConfig;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.InferRequest;
import io.songmap.inference.triton.Tensor;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.inference.triton.v2.ModelMetadataResponse;
import io.songmap.inference.triton.v2.ModelStatistics;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The inference benchmark: {@code load-tests/run inference --help}. For each model and with the
 * dynamic batcher on and then off, keeps {@code --concurrency} requests in flight through gRPC for
 * {@code --seconds} and prints throughput (items/s, and × realtime for audio models), p50/p99
 * latency and the mean batch the server formed. By default it starts {@code cpu-server}
 * in-process on a free port; {@code --target host:port} measures an external server (Triton) as
 * deployed, in which case batching is whatever its configs say.
 */
@Command(name = "inference", mixinStandardHelpOptions = true,
    description = "Per-model throughput and latency through gRPC, dynamic batching on and off.")
public final class Main implements Callable<Integer> {
  /** Seconds of audio one batch item carries, for the × realtime figure. */
  private static final Map<String, Double> AUDIO_SECONDS_PER_ITEM = Map.of(
      "htdemucs", 343_980 / 44_100.0,
      "basic_pitch", 43_844 / 22_050.0,
      "whisper", 30.0);

  @Option(names = "--models", split = ",", description = "models to measure (default: every ready model)")
  List<String> models = List.of();

  @Option(names = "--seconds", description = "measured seconds per model and mode (default ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--warmup-seconds", description = "unmeasured seconds first (default ${DEFAULT-VALUE})")
  int warmupSeconds = 2;

  @Option(names = "--concurrency", description = "requests in flight (default ${DEFAULT-VALUE})")
  int concurrency = 8;

  @Option(names = "--items-per-request", description = "batch size of each request (default ${DEFAULT-VALUE})")
  int itemsPerRequest = 1;

  @Option(names = "--threads", description = "cpu-server worker threads (default: cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--max-queue-delay-us", split = ",", description = "cpu-server batcher delays to measure with batching on (default 2000,0)")
  List<Long> maxQueueDelaysMicros = List.of(2_000L, 0L);

  @Option(names = "--batching", description = "on, off or both (default ${DEFAULT-VALUE})")
  String batching = "both";

  @Option(names = "--target", description = "measure this server (host:port) instead of an in-process cpu-server")
  String target;

  private final List<String> table = new ArrayList<>();

  public static void main(String[] args) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "# inference benchmark: %d in flight, %d item(s) per request, %d s per run, %d cores (load average %.1f), %s%n",
        concurrency, itemsPerRequest, seconds, Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        target == null ? "cpu-server in-process, " + threads + " workers" : "server " + target);
    table.add("| model | batching | items/s | × realtime | p50 ms | p99 ms | mean batch |");
    table.add("|---|---|---|---|---|---|---|");
    if (target != null) {
      try (TritonClient client = TritonClient.create(TritonClientConfig.of(target))) {
        List<String> names = models.isEmpty()
            ? await(client.repositoryIndex()).getModelsList().stream()
                .filter(m -> m.getState().equals("READY")).map(m -> m.getName()).distinct().toList()
            : models;
        for (String model : names) {
          measure(client, model, "server config");
        }
      }
    } else {
      // null stands for batching off; otherwise the batcher's max queue delay in microseconds.
      List<Long> modes = new ArrayList<>();
      switch (batching) {
        case "on" -> modes.addAll(maxQueueDelaysMicros);
        case "off" -> modes.add(null);
        case "both" -> {
          modes.addAll(maxQueueDelaysMicros);
          modes.add(null);
        }
        default -> throw new CommandLine.ParameterException(new CommandLine(this), "--batching must be on, off or both");
      }
      for (Long delay : modes) {
        boolean on = delay != null;
        CpuServerConfig.Batching b = on
            ? CpuServerConfig.Batching.DEFAULT.withMaxQueueDelay(Duration.ofNanos(delay * 1_000))
            : CpuServerConfig.Batching.OFF;
        List<CpuModel> hosted = CpuModels.defaults();
        try (CpuServer server = CpuServer.start(CpuServerConfig.defaults(0).withWorkers(threads, threads).withBatching(b), hosted);
            TritonClient client = TritonClient.create(TritonClientConfig.of("localhost:" + server.port()))) {
          for (CpuModel m : hosted) {
            if (!models.isEmpty() && !models.contains(m.name())) {
              continue;
            }
            if (m.notReadyReason().isPresent()) {
              System.out.printf(Locale.ROOT, "inference model=%s skipped: NOT READY (%s)%n", m.name(), m.notReadyReason().get());
              continue;
            }
            measure(client, m.name(), on ? "on, delay " + delay + " us" : "off");
          }
        }
      }
    }
    System.out.println();
    table.forEach(System.out::println);
    return 0;
  }

  private void measure(TritonClient client, String model, String mode) throws Exception {
    ModelMetadataResponse md = await(client.modelMetadata(model, ""));
    List<Tensor> inputs = new ArrayList<>();
    for (ModelMetadataResponse.TensorMetadata t : md.getInputsList()) {
      inputs.add(syntheticInput(model, t));
    }
    InferRequest request = new InferRequest(model, "", "", inputs, List.of(), 0, java.util.Optional.empty(), java.util.Optional.empty());

    run(client, request, Duration.ofSeconds(warmupSeconds), new ConcurrentHistogram(3));
    ModelStatistics before = await(client.modelStatistics(model, "")).getModelStats(0);
    ConcurrentHistogram latency = new ConcurrentHistogram(3);
    long start = System.nanoTime();
    long requests = run(client, request, Duration.ofSeconds(seconds), latency);
    double elapsed = (System.nanoTime() - start) / 1e9;
    ModelStatistics after = await(client.modelStatistics(model, "")).getModelStats(0);

    double itemsPerSecond = requests * itemsPerRequest / elapsed;
    Double audio = AUDIO_SECONDS_PER_ITEM.get(model);
    String realtime = audio == null ? "-" : String.format(Locale.ROOT, "%.1f", itemsPerSecond * audio);
    long executions = after.getExecutionCount() - before.getExecutionCount();
    long items = after.getInferenceCount() - before.getInferenceCount();
    double meanBatch = executions == 0 ? 0 : (double) items / executions;
    double p50 = latency.getValueAtPercentile(50) / 1e6;
    double p99 = latency.getValueAtPercentile(99) / 1e6;
    System.out.printf(Locale.ROOT,
        "inference model=%s batching=\"%s\" concurrency=%d requests=%d items_per_s=%.1f x_realtime=%s p50_ms=%.2f p99_ms=%.2f mean_batch=%.2f%n",
        model, mode, concurrency, requests, itemsPerSecond, realtime, p50, p99, meanBatch);
    table.add(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %.2f | %.2f | %.2f |",
        model, mode, itemsPerSecond, realtime, p50, p99, meanBatch));
  }

  /** Closed loop: {@code concurrency} requests in flight until {@code duration} passes; returns completions. */
  private long run(TritonClient client, InferRequest request, Duration duration, Histogram latency) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    AtomicLong done = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      loop(client, request, end, latency, done, failure, finished);
    }
    if (!finished.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests did not finish");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("request to '" + request.model() + "' failed", failure.get());
    }
    return done.get();
  }

  private void loop(TritonClient client, InferRequest request, long end, Histogram latency, AtomicLong done,
      AtomicReference<Throwable> failure, CountDownLatch finished) {
    long sent = System.nanoTime();
    client.infer(request).onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.failed()) {
        failure.compareAndSet(null, ar.cause());
        finished.countDown();
        return;
      }
      latency.recordValue(now - sent);
      done.incrementAndGet();
      if (now < end && failure.get() == null) {
        loop(client, request, end, latency, done, failure, finished);
      } else {
        finished.countDown();
      }
    });
  }

  /** Deterministic input of the model's shape: a 440 Hz tone for audio, small positive noise otherwise. */
  private Tensor syntheticInput(String model, ModelMetadataResponse.TensorMetadata t) {
    if (!t.getDatatype().equals(Datatype.FP32.name())) {
      throw new IllegalArgumentException("model '" + model + "' input '" + t.getName() + "' is " + t.getDatatype() + "; only FP32 inputs are generated");
    }
    long[] shape = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
    shape[0] = itemsPerRequest;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        shape[i] = 16_000L * 30;
      }
    }
    int n = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
    float[] values = new float[n];
    Random random = new Random(42);
    Double audio = AUDIO_SECONDS_PER_ITEM.get(model);
    for (int i = 0; i < n; i++) {
      values[i] = audio != null
          ? (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 44_100.0) + 0.01 * random.nextGaussian())
          : (float) Math.abs(random.nextGaussian());
    }
    return Tensor.fp32(t.getName(), shape, values);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
