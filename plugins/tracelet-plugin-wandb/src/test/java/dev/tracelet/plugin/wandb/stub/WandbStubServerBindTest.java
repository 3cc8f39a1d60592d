package dev.tracelet.plugin.wandb.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.testkit.security.LoopbackProbe;
import java.io.IOException;
import java.net.URI;
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
      LoopbackProbe.assertLoopbackOnly(stub.port());
    }
  }
}
