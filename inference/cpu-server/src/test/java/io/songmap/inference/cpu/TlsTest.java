package io.songmap.inference.cpu;

import static io.songmap.inference.cpu.InferenceProtocolTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.songmap.inference.triton.InferenceException;
import io.songmap.inference.triton.TritonClient;
import io.songmap.inference.triton.TritonClientConfig;
import io.songmap.inference.triton.health.v1.HealthCheckResponse.ServingStatus;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client speaks TLS to a server whose certificate it trusts through a PEM file. */
class TlsTest {
  private static final String PASSWORD = "changeit";

  private static void keytool(Path dir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  @Test
  void tlsWithATrustedCertificate(@TempDir Path dir) throws Exception {
    keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", "server.p12", "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      keys.load(in, PASSWORD.toCharArray());
    }
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getCertificate("server").getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    Files.writeString(dir.resolve("ca.pem"), pem);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD.toCharArray());
    Server server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder().keyManager(kmf.getKeyManagers()).build())
        .addService(new HealthService(Map.of(), () -> true))
        .build()
        .start();
    try (TritonClient tls = TritonClient.create(TritonClientConfig.of("localhost:" + server.getPort())
            .withTls(Optional.of(dir.resolve("ca.pem"))));
        TritonClient plaintext = TritonClient.create(TritonClientConfig.of("localhost:" + server.getPort())
            .withRetry(TritonClientConfig.RetryPolicy.NONE))) {

      assertThat(await(tls.health(""))).isEqualTo(ServingStatus.SERVING);
      assertThatThrownBy(() -> await(plaintext.health("")))
          .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      server.shutdownNow();
    }
  }
}
