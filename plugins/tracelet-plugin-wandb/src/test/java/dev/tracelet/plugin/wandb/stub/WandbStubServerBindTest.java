package dev.tracelet.plugin.wandb.stub;

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
 * The stub, started the way tests and CI start it, listens on the loopback interface only: a CI
 * machine's neighbours cannot reach it. It answers on 127.0.0.1 and refuses connections on every
 * other address of this machine.
 */
class WandbStubServerBindTest {
  @Test
  void listensOnLoopbackOnly() throws IOException {
    try (WandbStubServer stub = WandbStubServer.start()) {
      URI url = URI.create(stub.baseUrl());
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertReachable(InetAddress.getLoopbackAddress(), stub.port());
      List<InetAddress> others = nonLoopbackIpv4();
      Assumptions.assumeFalse(
          others.isEmpty(),
          "this machine has no non-loopback IPv4 address to try; only the configured bind"
              + " address 127.0.0.1 was checked");
      for (InetAddress a : others) {
        assertThatThrownBy(() -> assertReachable(a, stub.port()))
            .as("the stub must not accept connections on %s", a)
            .isInstanceOf(IOException.class);
      }
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
