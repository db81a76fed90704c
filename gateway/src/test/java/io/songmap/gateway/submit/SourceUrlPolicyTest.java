package io.songmap.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceUrlPolicyTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
      "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "::", "fe80::1", "fd12:3456::1", "::ffff:10.0.0.1",
      "::ffff:127.0.0.1"})
  void internalAddressesAreRefused(String address) throws Exception {
    assertThat(SourceUrlPolicy.isInternal(InetAddress.getByName(address))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"203.0.113.10", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2001:4860:4860::8888",
      "::ffff:8.8.8.8"})
  void publicAddressesAreAllowed(String address) throws Exception {
    assertThat(SourceUrlPolicy.isInternal(InetAddress.getByName(address))).isFalse();
  }
}
