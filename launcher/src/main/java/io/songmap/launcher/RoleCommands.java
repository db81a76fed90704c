package io.songmap.launcher;

import io.songmap.gateway.Gateway;
import io.songmap.gateway.auth.Tenants;
import io.songmap.job.stage.Stage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The roles that run on their own against configured Kafka, PostgreSQL and inference servers. */
final class RoleCommands {
  private RoleCommands() {}

  /** Keeps a node up until the process is asked to stop (SIGTERM, Ctrl-C), then shuts it down cleanly. */
  static int serve(Node node, String what) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println(what + ": stopping");
      node.close();
      stopped.countDown();
    }, "songmap-shutdown"));
    System.out.println(what + ": running; Ctrl-C stops it");
    stopped.await();
    return 0;
  }

  static Settings requireKafka(Settings settings, String command) {
    if (settings.kafkaBootstrap().isEmpty()) {
      throw new IllegalArgumentException("songmap " + command
          + " runs against a shared Kafka cluster: set SONGMAP_KAFKA_BOOTSTRAP (use `songmap dev` for everything in one process)");
    }
    return settings;
  }

  @Command(name = "processors", mixinStandardHelpOptions = true,
      description = {"Runs stage processors: consumes songmap.stage.<stage>.v1, calls the inference server,",
          "stores artifacts and appends results. Needs SONGMAP_KAFKA_BOOTSTRAP; uses SONGMAP_TRITON_URL or",
          "starts an in-process CPU inference server."})
  static final class Processors implements Callable<Integer> {
    @Option(names = "--stages", split = ",", paramLabel = "STAGE",
        description = "stages to run (ingest, separate, drums, melody_bass, lyrics, package); default: all")
    List<String> stages = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Settings settings = requireKafka(Settings.fromEnv(System.getenv()), "processors");
      Set<Stage> chosen = stages.isEmpty() ? Node.allStages() : EnumSet.noneOf(Stage.class);
      for (String s : stages) {
        chosen.add(Stage.fromWireName(s.trim()));
      }
      Node node = Node.create(settings, System.getenv()).kafka().postgres().artifacts().inference().workers(chosen)
          .janitor();
      return serve(node, "processors " + chosen.stream().map(Stage::wireName).toList());
    }
  }

  @Command(name = "relay", mixinStandardHelpOptions = true,
      description = {"Runs the relay: publishes appended job events to songmap.job-events.v1 and stage work to",
          "songmap.stage.<stage>.v1, in store order. Any number may run; one is active at a time.",
          "Needs SONGMAP_KAFKA_BOOTSTRAP and SONGMAP_PG_URL."})
  static final class RelayRole implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Settings settings = requireKafka(Settings.fromEnv(System.getenv()), "relay");
      Node node = Node.create(settings, System.getenv()).kafka().postgres().relay();
      return serve(node, "relay");
    }
  }

  @Command(name = "gateway", mixinStandardHelpOptions = true,
      description = {"Runs the gateway: the HTTP API under /api/v1, WebSocket progress streams, the job status",
          "projection and the partner intake on songmap.submissions.v1. Needs SONGMAP_KAFKA_BOOTSTRAP;",
          "settings SONGMAP_GATEWAY_* (port 8080 by default)."})
  static final class GatewayRole implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Settings settings = requireKafka(Settings.fromEnv(System.getenv()), "gateway");
      Node node = Node.create(settings, System.getenv()).kafka().postgres();
      Gateway gateway = node.gateway();
      System.out.println("gateway: http://localhost:" + gateway.port() + "/api/v1 (OpenAPI at /api/v1/openapi.json)");
      return serve(node, "gateway");
    }
  }

  @Command(name = "dev", mixinStandardHelpOptions = true,
      description = {"Runs everything in this process and stays up: an in-process Kafka broker (unless",
          "SONGMAP_KAFKA_BOOTSTRAP is set), PostgreSQL, the CPU inference server (unless SONGMAP_TRITON_URL",
          "is set), the relay, every stage processor and the gateway on http://localhost:8080.",
          "Prints an API key for the tenant `local` (SONGMAP_TENANT)."})
  static final class Dev implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Settings settings = Settings.fromEnv(System.getenv());
      Node node = Node.create(settings, System.getenv());
      node.kafka().postgres().artifacts().inference().relay().workers(Node.allStages()).janitor();
      Gateway gateway = node.gateway();
      String key = Node.await(gateway.tenants().create(settings.tenant())
          .map(Tenants.Created::apiKey)
          .recover(e -> e instanceof Tenants.TenantExists
              ? gateway.tenants().issueKey(settings.tenant())
              : io.vertx.core.Future.failedFuture(e)), "creating the dev tenant");
      System.out.printf("""
          Songmap dev: http://localhost:%d/api/v1  (OpenAPI: /api/v1/openapi.json, health: /health/ready)
            tenant %s, API key: %s
            try: curl -H 'Authorization: Bearer %s' -F file=@song.mp3 http://localhost:%d/api/v1/jobs
          """, gateway.port(), settings.tenant(), key, key, gateway.port());
      return serve(node, "dev");
    }
  }
}
