package io.songmap.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WebSocket client that keeps every message it receives and how the socket closed. */
final class WsClient {
  final List<JsonObject> messages = new CopyOnWriteArrayList<>();
  volatile Short closeStatus;
  volatile int pings;
  final WebSocket ws;

  private WsClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> messages.add(new JsonObject(text)));
    ws.frameHandler(frame -> {
      if (frame.isPing()) {
        pings++;
      }
    });
    ws.closeHandler(v -> closeStatus = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
  }

  static WsClient connect(Vertx vertx, int port, String uri, String bearer) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (bearer != null) {
      options.addHeader("Authorization", "Bearer " + bearer);
    }
    // Handlers are set as the connection completes, on its event loop, before any frame can be missed.
    return GatewayHarness.await(client.connect(options).map(WsClient::new));
  }

  List<Long> versions() {
    return messages.stream().map(m -> m.getLong("version")).toList();
  }

  long lastVersion() {
    return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).getLong("version");
  }

  void close() {
    GatewayHarness.await(ws.close());
  }
}
