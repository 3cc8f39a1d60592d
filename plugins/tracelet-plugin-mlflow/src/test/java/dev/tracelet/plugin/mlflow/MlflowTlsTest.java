package dev.tracelet.plugin.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tracelet.api.BackendException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against an HTTPS server with WireMock's self-signed certificate: refused by default, with a
 * message that names TLS, the certificate and the settings that fix it; accepted once {@code
 * mlflow.insecure_tls} turns the checks off.
 */
class MlflowTlsTest {
  @TempDir Path home;
  private final WireMockServer server =
      new WireMockServer(
          wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());

  @BeforeEach
  void start() {
    server.start();
    server.stubFor(
        post(urlPathEqualTo("/api/2.0/mlflow/experiments/search"))
            .willReturn(okJson("{\"experiments\": []}")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private Map<String, String> config(Map<String, String> more) {
    Map<String, String> c = new HashMap<>(more);
    c.put("tracking_uri", "https://127.0.0.1:" + server.httpsPort());
    c.put("max_retries", "2");
    c.put("backoff_factor", "0.01");
    c.put("backoff_jitter", "0");
    return c;
  }

  private int search(Map<String, String> config) {
    MlflowConfig c = MlflowConfig.from(config, home);
    try (MlflowApi api = MlflowApi.open(c, System.getLogger("mlflow-tls-test"), "tls-test")) {
      return new MlflowTracking(api).searchExperiments("ACTIVE_ONLY").size();
    }
  }

  @Test
  void aSelfSignedServerIsRefusedByDefaultWithTheRemedy() {
    Throwable refused = catchThrowable(() -> search(config(Map.of())));

    assertThat(refused)
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.httpsPort() + " failed")
        .hasMessageContaining("certificate is not trusted")
        .hasMessageContaining("mlflow.server_cert_path")
        .hasMessageContaining("mlflow.insecure_tls=true");
    assertThat(server.findAll(anyRequestedFor(anyUrl()))).as("no request got through").isEmpty();
  }

  @Test
  void insecureTlsTalksToTheSameServer() {
    assertThat(search(config(Map.of("insecure_tls", "true")))).isZero();

    assertThat(server.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
  }
}
