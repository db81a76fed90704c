package io.songmap.gateway;

import static io.songmap.gateway.GatewayHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.songmap.eventstore.ExpectedVersion;
import io.songmap.eventstore.NewEvent;
import io.songmap.job.JobCommand;
import io.songmap.job.JobEvent;
import io.songmap.job.JobEventType;
import io.songmap.job.JobState;
import io.songmap.job.StageState;
import io.songmap.job.StageStatus;
import io.songmap.job.stage.Stage;
import io.songmap.stages.jobs.JobCommands;
import io.songmap.stages.jobs.JobEventJson;
import io.vertx.core.http.UpgradeRejectedException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * WebSocket event streams end to end: jobs driven through the job's command handler, events published by the
 * real relay to a real broker, read back by the gateway's consumer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayLiveIT {
  private GatewayHarness h;

  @BeforeAll
  void start() {
    h = new GatewayHarness("gateway_live", true,
        c -> c.withWebSocket(Duration.ofSeconds(1), 8 * 1024, Duration.ofMillis(500), 100));
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private String submit(String key) {
    var r = h.submitUrl(key, "https://203.0.113.10/song.mp3");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
    return r.bodyAsJsonObject().getString("id");
  }

  /** Takes the job one step: starts, reports on or completes the first awaiting stage. Returns false when done. */
  private boolean step(String tenant, String jobId, int i) {
    JobState state = await(h.commands.load(tenant, jobId));
    if (state.isFinished()) {
      return false;
    }
    for (StageState s : state.stages().values()) {
      if (s.status() == StageStatus.REQUESTED) {
        await(h.commands.handle(tenant, new JobCommand.StartStage(jobId, s.stage(), s.run(), s.attempt(),
            Instant.now()), JobCommands.Meta.none()));
        return true;
      }
      if (s.status() == StageStatus.RUNNING) {
        JobCommand c = s.fraction() < 0.5
            ? new JobCommand.ReportProgress(jobId, s.stage(), s.run(), s.attempt(), 0.5, Instant.now())
            : new JobCommand.CompleteStage(jobId, s.stage(), s.run(), s.attempt(), Map.of("n", "" + i), null,
                Instant.now());
        await(h.commands.handle(tenant, c, JobCommands.Meta.none()));
        return true;
      }
    }
    throw new IllegalStateException("nothing to do in " + state);
  }

  private String uri(String jobId, long from) {
    return "/api/v1/jobs/" + jobId + "/events?from=" + from;
  }

  @Test
  void aClientThatDropsAndResumesGetsEveryEventExactlyOnce() {
    var t = h.tenant();
    String jobId = submit(t.getValue());
    List<Long> received = new ArrayList<>();

    WsClient first = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), t.getValue());
    int i = 0;
    for (; i < 6; i++) {
      step(t.getKey(), jobId, i);
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> first.messages.size() >= 6);
    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> first.closeStatus != null);
    received.addAll(first.versions());
    for (; i < 12; i++) {
      step(t.getKey(), jobId, i); // nobody listening
    }
    long resumeFrom = received.get(received.size() - 1) + 1;
    WsClient second = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, resumeFrom), t.getValue());
    await().atMost(Duration.ofSeconds(5)).until(() -> second.pings > 0); // pinged every second here
    while (step(t.getKey(), jobId, i++)) {
      // drive to completion while the second client follows live
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> second.closeStatus != null);
    received.addAll(second.versions());

    long version = await(h.commands.load(t.getKey(), jobId)).version();
    assertThat(received).containsExactlyElementsOf(LongStream.rangeClosed(1, version).boxed().toList());
    assertThat(second.closeStatus).isEqualTo((short) 1000);
    assertThat(second.messages.get(second.messages.size() - 1).getString("type")).isEqualTo("JobCompleted");
    assertThat(second.messages.get(0).getJsonObject("data")).isNotNull();
  }

  @Test
  void aFinishedJobStreamsItsHistoryAndClosesNormally() {
    var t = h.tenant();
    String jobId = submit(t.getValue());
    await(h.post(t.getValue(), "/jobs/" + jobId + "/cancel").send());
    WsClient all = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 0) + "&access_token=" + t.getValue(), null);
    await().atMost(Duration.ofSeconds(10)).until(() -> all.closeStatus != null);
    assertThat(all.versions()).containsExactly(1L, 2L, 3L);
    assertThat(all.closeStatus).isEqualTo((short) 1000);
    WsClient after = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 4), t.getValue());
    await().atMost(Duration.ofSeconds(10)).until(() -> after.closeStatus != null);
    assertThat(after.messages).isEmpty();
    assertThat(after.closeStatus).isEqualTo((short) 1000);
  }

  @Test
  void anotherTenantsJobCannotBeFollowedAndAKeyIsRequired() {
    var owner = h.tenant();
    var other = h.tenant();
    String jobId = submit(owner.getValue());
    assertThatThrownBy(() -> WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), other.getValue()))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(404));
    assertThatThrownBy(() -> WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), null))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    assertThatThrownBy(() -> WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/events", other.getValue() + "x"))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
    await(h.post(owner.getValue(), "/jobs/" + jobId + "/cancel").send());
  }

  @Test
  void theTenantStreamCarriesEveryJobOfItsTenantAndNoOther() {
    var a = h.tenant();
    var b = h.tenant();
    WsClient stream = WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/events", b.getValue());
    String jobB1 = submit(b.getValue());
    String jobA = submit(a.getValue());
    String jobB2 = submit(b.getValue());
    for (String id : List.of(jobB1, jobB2)) {
      await(h.post(b.getValue(), "/jobs/" + id + "/cancel").send());
    }
    await(h.post(a.getValue(), "/jobs/" + jobA + "/cancel").send());
    await().atMost(Duration.ofSeconds(15)).until(() -> stream.messages.size() >= 6);
    assertThat(stream.messages.stream().map(m -> m.getString("jobId")).distinct()).containsExactlyInAnyOrder(jobB1,
        jobB2);
    for (String id : List.of(jobB1, jobB2)) {
      assertThat(stream.messages.stream().filter(m -> m.getString("jobId").equals(id)).map(m -> m.getLong("version")))
          .containsExactly(1L, 2L, 3L);
    }
    stream.close();
  }

  @Test
  void manySubscribersOfOneJobEachReceiveEveryEventOnceInOrder() {
    var t = h.tenant();
    String jobId = submit(t.getValue());
    List<WsClient> clients = new ArrayList<>();
    for (int c = 0; c < 25; c++) {
      clients.add(WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), t.getValue()));
    }
    int i = 0;
    while (step(t.getKey(), jobId, i++)) {
      // every subscriber follows live
    }
    long version = await(h.commands.load(t.getKey(), jobId)).version();
    List<Long> all = LongStream.rangeClosed(1, version).boxed().toList();
    for (WsClient c : clients) {
      await().atMost(Duration.ofSeconds(15)).until(() -> c.closeStatus != null);
      assertThat(c.versions()).containsExactlyElementsOf(all);
      assertThat(c.closeStatus).isEqualTo((short) 1000);
    }
  }

  @Test
  void lateSubscribersWithFromGetTheHistoryThenLiveWithoutDuplicates() {
    var t = h.tenant();
    String jobId = submit(t.getValue());
    WsClient early = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), t.getValue());
    int i = 0;
    for (; i < 24; i++) {
      step(t.getKey(), jobId, i);
    }
    long now = await(h.commands.load(t.getKey(), jobId)).version();
    await().atMost(Duration.ofSeconds(15)).until(() -> early.lastVersion() == now);
    // One far behind what the job's followers share, one just behind, one at the end.
    List<Long> froms = List.of(2L, now - 1, now + 1);
    List<WsClient> late = new ArrayList<>();
    for (long from : froms) {
      late.add(WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, from), t.getValue()));
    }
    while (step(t.getKey(), jobId, i++)) {
      // the late ones switch from the history to live while events keep coming
    }
    long version = await(h.commands.load(t.getKey(), jobId)).version();
    await().atMost(Duration.ofSeconds(15)).until(() -> early.closeStatus != null);
    assertThat(early.versions()).containsExactlyElementsOf(LongStream.rangeClosed(1, version).boxed().toList());
    for (int c = 0; c < froms.size(); c++) {
      WsClient client = late.get(c);
      await().atMost(Duration.ofSeconds(15)).until(() -> client.closeStatus != null);
      assertThat(client.versions()).as("from %d", froms.get(c))
          .containsExactlyElementsOf(LongStream.rangeClosed(froms.get(c), version).boxed().toList());
      assertThat(client.closeStatus).isEqualTo((short) 1000);
    }
  }

  @Test
  void theTenantStreamResumesFromAPositionWithoutGapsOrDuplicates() throws Exception {
    var t = h.tenant();
    String first = submit(t.getValue());
    await(h.post(t.getValue(), "/jobs/" + first + "/cancel").send());

    // From the start: the stored events, each with its position.
    WsClient all = WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/events?from=0", t.getValue());
    await().atMost(Duration.ofSeconds(15)).until(() -> all.messages.size() >= 3);
    assertThat(all.versions()).containsExactly(1L, 2L, 3L);
    String afterFirst = all.messages.get(2).getString("position");
    assertThat(afterFirst).matches("\\d+/\\d+");

    // While a job moves on, a stream from the first job's end switches from stored to live events.
    String second = submit(t.getValue());
    Thread driver = new Thread(() -> {
      int i = 0;
      while (step(t.getKey(), second, i++)) {
        // to the end
      }
    });
    driver.start();
    await().atMost(Duration.ofSeconds(15)).until(() -> await(h.commands.load(t.getKey(), second)).version() >= 6);
    WsClient resumed = WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/events?from=" + afterFirst,
        t.getValue());
    driver.join(60_000);
    long version = await(h.commands.load(t.getKey(), second)).version();
    List<Long> secondsVersions = LongStream.rangeClosed(1, version).boxed().toList();
    await().atMost(Duration.ofSeconds(15)).until(() -> resumed.messages.size() >= version);
    await().atMost(Duration.ofSeconds(15)).until(() -> all.messages.size() >= 3 + version);
    Thread.sleep(300); // nothing more may come
    assertThat(resumed.messages).allMatch(m -> m.getString("jobId").equals(second));
    assertThat(resumed.versions()).containsExactlyElementsOf(secondsVersions);
    assertThat(all.messages.stream().filter(m -> m.getString("jobId").equals(second)).map(m -> m.getLong("version")))
        .containsExactlyElementsOf(secondsVersions);
    assertThat(all.messages).hasSize(3 + (int) version);

    // A position is what the frames carry.
    assertThatThrownBy(() -> WsClient.connect(h.vertx, h.gateway.port(), "/api/v1/events?from=x", t.getValue()))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(400));
    resumed.close();
    all.close();
  }

  @Test
  void aClientThatDoesNotReadIsDroppedWithoutSlowingOthers() throws Exception {
    var t = h.tenant();
    String jobId = submit(t.getValue());
    List<NewEvent> progress = new ArrayList<>();
    // Large events, so that the kernel's socket buffers (several MB on loopback) fill up too.
    int n = 500;
    String blob = "x".repeat(16 * 1024);
    for (int i = 1; i <= n; i++) {
      JobEvent e = new JobEvent.StageCompleted(jobId, Stage.INGEST, 1, 1, Map.of("blob", blob, "i", "" + i), null,
          Instant.now());
      progress.add(new NewEvent(UUID.randomUUID(), JobEventType.typeNameOf(e), JobEventType.SCHEMA_VERSION,
          JobEventJson.toJson(e).encode(), "{}"));
    }
    await(h.store.append(t.getKey(), jobId, ExpectedVersion.exactly(2), progress));

    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(2048);
      slow.connect(new InetSocketAddress("127.0.0.1", h.gateway.port()));
      OutputStream out = slow.getOutputStream();
      out.write(("GET " + uri(jobId, 1) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer " + t.getValue() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = slow.getInputStream();
      byte[] status = new byte[12];
      assertThat(in.readNBytes(status, 0, 12)).isEqualTo(12);
      assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
      // ...and then it reads nothing more.

      WsClient fast = WsClient.connect(h.vertx, h.gateway.port(), uri(jobId, 1), t.getValue());
      await().atMost(Duration.ofSeconds(30)).until(() -> fast.messages.size() >= n + 2);
      await(h.post(t.getValue(), "/jobs/" + jobId + "/cancel").send());
      await().atMost(Duration.ofSeconds(10)).until(() -> fast.closeStatus != null);
      assertThat(fast.versions()).containsExactlyElementsOf(LongStream.rangeClosed(1, n + 3).boxed().toList());
      // The slow one was dropped, and no stream is left open.
      String metrics = await(h.http.get("/metrics").send()).bodyAsString();
      assertThat(metrics).contains("songmap_websocket_slow_clients_dropped_total 1.0")
          .contains("songmap_websocket_connections 0.0");
    }
  }
}
