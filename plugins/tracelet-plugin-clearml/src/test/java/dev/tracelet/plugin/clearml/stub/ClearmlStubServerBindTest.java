package dev.tracelet.plugin.clearml.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The stub's API and file servers, started the way tests and demos start them, listen on the
 * loopback interface only: a CI machine's neighbours cannot reach them. They answer on 127.0.0.1
 * and refuse connections on every other address of this machine.
 */
class ClearmlStubServerBindTest {
  @Test
  void bothServersListenOnLoopbackOnly() throws IOException {
    try (ClearmlStubServer stub = ClearmlStubServer.start()) {
      List<InetAddress> others = nonLoopbackIpv4();
      for (String base : List.of(stub.apiHost(), stub.filesHost())) {
        URI url = URI.create(base);
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertReachable(InetAddress.getLoopbackAddress(), url.getPort());
        for (InetAddress a : others) {
          assertThatThrownBy(() -> assertReachable(a, url.getPort()))
              .as("the stub must not accept connections on %s", a)
              .isInstanceOf(IOException.class);
        }
      }
      Assumptions.assumeFalse(
          others.isEmpty(),
          "this machine has no non-loopback IPv4 address to try; only the configured bind"
              + " address 127.0.0.1 was checked");
    }
  }

  private static void assertReachable(InetAddress address, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 5_000);
    }
  }

  private static List<InetAddress> nonLoopbackIpv4() throws SocketException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          out.add(a);
        }
      }
    }
    return out;
  }
}
