package dev.tracelet.plugin.clearml.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.testkit.security.LoopbackProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
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
      List<InetAddress> others = LoopbackProbe.nonLoopbackIpv4();
      for (String base : List.of(stub.apiHost(), stub.filesHost())) {
        URI url = URI.create(base);
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        LoopbackProbe.connect(InetAddress.getLoopbackAddress(), url.getPort());
        for (InetAddress a : others) {
          LoopbackProbe.assertRefused(a, url.getPort());
        }
      }
      LoopbackProbe.assumeSomeToTry(others);
    }
  }
}
