package dev.tracelet.testkit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class LoopbackProbeTest {
  @Test
  void aServerOnLoopbackPasses() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      LoopbackProbe.assertLoopbackOnly(server.getLocalPort());
    }
  }

  @Test
  void aServerOnEveryAddressFails() throws Exception {
    List<InetAddress> others = LoopbackProbe.nonLoopbackIpv4();
    LoopbackProbe.assumeSomeToTry(others);
    try (ServerSocket server = new ServerSocket(0, 50)) {
      assertThatThrownBy(() -> LoopbackProbe.assertLoopbackOnly(server.getLocalPort()))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("must not accept connections on");
    }
  }

  @Test
  void nonLoopbackAddressesAreIpv4AndNotLoopback() throws Exception {
    assertThat(LoopbackProbe.nonLoopbackIpv4())
        .allSatisfy(a -> assertThat(a.isLoopbackAddress()).isFalse())
        .allSatisfy(a -> assertThat(a.getAddress()).hasSize(4));
  }

  @Test
  void withNothingToTryTheTestIsAbortedNotPassed() {
    assertThatThrownBy(() -> LoopbackProbe.assumeSomeToTry(List.of()))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("only the configured bind address 127.0.0.1 was checked");
  }
}
