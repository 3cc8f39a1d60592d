package dev.tracelet.plugin.wandb;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tracelet.api.BackendException;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against an HTTPS server with WireMock's self-signed certificate the W&amp;B backend refuses to
 * talk, and says why and what to do. W&amp;B has no setting that turns certificate checks off: the
 * remedy is to trust the server's CA in the JVM's trust store.
 */
class WandbTlsTest {
  @TempDir Path scratch;
  private final WireMockServer server =
      new WireMockServer(
          wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());

  @BeforeEach
  void start() {
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void aSelfSignedServerIsRefusedWithTheRemedy() {
    Map<String, String> config = new HashMap<>();
    config.put("base_url", "https://127.0.0.1:" + server.httpsPort());
    config.put("api_key", "any-key");
    config.put("console", "off");
    config.put("heartbeat_seconds", "0");
    config.put("max_retries", "2");
    config.put("retry_backoff", "0.01");

    Throwable refused =
        catchThrowable(
            () ->
                new WandbBackendPlugin()
                    .open(TestBackendContext.builder(scratch).config(config).build()));

    assertThat(refused)
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.httpsPort() + " failed")
        .hasMessageContaining("certificate is not trusted")
        .hasMessageContaining("javax.net.ssl.trustStore");
    assertThat(server.findAll(anyRequestedFor(anyUrl()))).as("no request got through").isEmpty();
  }
}
