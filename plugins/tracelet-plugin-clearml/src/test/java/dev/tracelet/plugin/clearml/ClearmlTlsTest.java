package dev.tracelet.plugin.clearml;

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
import dev.tracelet.http.Sleeper;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against an HTTPS server with WireMock's self-signed certificate: refused by default, with a
 * message that names TLS, the certificate and the setting that turns the checks off; accepted once
 * {@code clearml.verify_cert=false} does.
 */
class ClearmlTlsTest {
  private static final String API = "/v" + ClearmlApi.API_VERSION + "/";

  private final WireMockServer server =
      new WireMockServer(
          wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());

  @BeforeEach
  void start() {
    server.start();
    server.stubFor(
        post(urlPathEqualTo(API + "auth.login"))
            .willReturn(okJson("{\"meta\":{\"result_code\":200},\"data\":{\"token\":\"t\"}}")));
    server.stubFor(
        post(urlPathEqualTo(API + "projects.get_all"))
            .willReturn(okJson("{\"meta\":{\"result_code\":200},\"data\":{\"projects\":[]}}")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private Map<String, String> config(Map<String, String> more) {
    String url = "https://127.0.0.1:" + server.httpsPort();
    Map<String, String> c = new HashMap<>(more);
    c.put("api_host", url);
    c.put("web_host", url);
    c.put("files_host", url);
    c.put("access_key", "KEY");
    c.put("secret_key", "SECRET");
    c.put("max_retries", "1");
    return c;
  }

  private int projects(Map<String, String> config) {
    try (ClearmlApi api =
        ClearmlApi.open(
            ClearmlConfig.from(config),
            System.getLogger("clearml-tls-test"),
            "tls-test",
            Clock.systemUTC(),
            Sleeper.SYSTEM)) {
      return api.call("projects.get_all", api.json().newObject()).path("projects").size();
    }
  }

  @Test
  void aSelfSignedServerIsRefusedByDefaultWithTheSettingThatRelaxesIt() {
    Throwable refused = catchThrowable(() -> projects(config(Map.of())));

    assertThat(refused)
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.httpsPort() + " failed")
        .hasMessageContaining("certificate is not trusted")
        .hasMessageContaining("clearml.verify_cert=false");
    assertThat(server.findAll(anyRequestedFor(anyUrl()))).as("no request got through").isEmpty();
  }

  @Test
  void verifyCertFalseTalksToTheSameServer() {
    assertThat(projects(config(Map.of("verify_cert", "false")))).isZero();

    assertThat(server.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
  }
}
