package dev.tracelet.plugin.mlflow;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The MLflow servers tests talk to listen on the loopback interface only, so a CI machine's
 * neighbours cannot reach them: the real server that {@code .ci/mlflow-server.sh} starts (checked
 * in the script, since starting it needs a Python environment) and the WireMock stub.
 */
class LoopbackBindTest {
  /** The script, seen from this module's directory (surefire's working directory). */
  private static final Path SCRIPT = Path.of("..", "..", ".ci", "mlflow-server.sh");

  @Test
  void theCiScriptStartsMlflowOnLoopback() throws IOException {
    assertThat(SCRIPT).isRegularFile();
    String script = Files.readString(SCRIPT);

    assertThat(script)
        .contains("mlflow\" server")
        .contains("--host 127.0.0.1 --port")
        .contains("uri=\"http://127.0.0.1:$port\"")
        .contains("s.bind((\"127.0.0.1\", 0))")
        .doesNotContain("0.0.0.0")
        .doesNotContain("--host 0")
        .doesNotContain("--host \"$");
  }

  @Test
  void theStubListensOnLoopbackOnly() throws IOException {
    StrictMlflowStub stub = new StrictMlflowStub();
    try {
      URI url = URI.create(stub.uri());
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertReachable(InetAddress.getLoopbackAddress(), url.getPort());
      List<InetAddress> others = nonLoopbackIpv4();
      Assumptions.assumeFalse(
          others.isEmpty(),
          "this machine has no non-loopback IPv4 address to try; only the configured bind"
              + " address 127.0.0.1 was checked");
      for (InetAddress a : others) {
        assertThatThrownBy(() -> assertReachable(a, url.getPort()))
            .as("the stub must not accept connections on %s", a)
            .isInstanceOf(IOException.class);
      }
    } finally {
      stub.shutdown();
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
