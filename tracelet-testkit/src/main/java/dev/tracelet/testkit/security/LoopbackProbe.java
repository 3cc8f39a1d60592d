package dev.tracelet.testkit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks that a server a test starts listens on the loopback interface only, so a CI machine's
 * neighbours cannot reach it: it accepts connections on the loopback address and refuses them on
 * every other IPv4 address of this machine.
 *
 * <pre>{@code
 * assertThat(URI.create(stub.baseUrl()).getHost()).isEqualTo("127.0.0.1");
 * LoopbackProbe.assertLoopbackOnly(stub.port());
 * }</pre>
 *
 * <p>A machine with no address but loopback has nothing to try; {@link #assertLoopbackOnly(int)}
 * and {@link #assumeSomeToTry(List)} then abort the test (JUnit reports it skipped, with the
 * reason) instead of passing it.
 */
public final class LoopbackProbe {
  /** How long a connection attempt may take. */
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private LoopbackProbe() {}

  /**
   * Asserts that {@code port} accepts connections on the loopback address, then that it refuses
   * them on every other IPv4 address of this machine; aborts the test, after the loopback check, if
   * there is no other address.
   *
   * @throws IOException if the port does not accept connections on the loopback address
   */
  public static void assertLoopbackOnly(int port) throws IOException {
    connect(InetAddress.getLoopbackAddress(), port);
    List<InetAddress> others = nonLoopbackIpv4();
    assumeSomeToTry(others);
    for (InetAddress a : others) {
      assertRefused(a, port);
    }
  }

  /**
   * The IPv4 addresses of this machine's network interfaces that are up and not loopback; empty on
   * a machine with loopback only.
   */
  public static List<InetAddress> nonLoopbackIpv4() throws SocketException {
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

  /**
   * Aborts the test if {@code others} is empty, saying that only the bind address 127.0.0.1 was
   * checked.
   *
   * @param others what {@link #nonLoopbackIpv4()} returned
   */
  public static void assumeSomeToTry(List<InetAddress> others) {
    Assumptions.assumeFalse(
        others.isEmpty(),
        "this machine has no non-loopback IPv4 address to try; only the configured bind"
            + " address 127.0.0.1 was checked");
  }

  /** Opens a TCP connection to {@code address:port} and closes it again. */
  public static void connect(InetAddress address, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
    }
  }

  /** Asserts that connecting to {@code address:port} fails with an {@link IOException}. */
  public static void assertRefused(InetAddress address, int port) {
    Throwable refused = catchThrowable(() -> connect(address, port));
    assertThat(refused)
        .as("port %d must not accept connections on %s", port, address)
        .isInstanceOf(IOException.class);
  }
}
