package dev.tracelet.plugin.clearml;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.tracelet.testkit.security.SecretScan.assertAbsent;
import static dev.tracelet.testkit.security.SecretScan.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tracelet.api.BackendException;
import dev.tracelet.testkit.CapturingLogger;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ClearML credentials reach the server and nothing else: not the plugin's log, not its exceptions
 * or their stack traces, not the printouts of its settings. The server answers 503 once (so the
 * retry is logged) and then 401 with ClearML's envelope; each test first proves the secret was
 * sent, so a grep that finds nothing means something.
 */
class SecretsDoNotLeakTest {
  private static final String ACCESS_KEY = "TRACELETTESTACCESSKEY";
  private static final String SECRET_KEY = "clearml-secret-9a8b7c6d5e4f-do-not-leak";
  private static final String TOKEN = "clearml-token-1f2e3d4c5b6a-do-not-leak";

  @TempDir Path scratch;
  private final WireMockServer server =
      new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
  private final CapturingLogger logger = new CapturingLogger();

  @BeforeEach
  void start() {
    server.start();
    server.stubFor(
        any(anyUrl())
            .inScenario("auth")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(503).withBody("warming up"))
            .willSetStateTo("refusing"));
    server.stubFor(
        any(anyUrl())
            .inScenario("auth")
            .whenScenarioStateIs("refusing")
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"meta\":{\"result_code\":401,\"result_subcode\":21,"
                            + "\"result_msg\":\"Invalid user id or password\"},\"data\":{}}")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private Map<String, String> config(Map<String, String> credentials) {
    String url = "http://127.0.0.1:" + server.port();
    Map<String, String> c = new HashMap<>(credentials);
    c.put("api_host", url);
    c.put("web_host", url);
    c.put("files_host", url);
    c.put("max_retries", "1");
    c.put("ping_interval_seconds", "0");
    return c;
  }

  @Test
  void theSecretKeyReachesTheServerOnly() {
    Map<String, String> config = config(Map.of("access_key", ACCESS_KEY, "secret_key", SECRET_KEY));

    Throwable failure = catchThrowable(() -> open(config));

    assertThat(failure).isInstanceOf(BackendException.class).hasMessageContaining("401");
    String basic = base64(ACCESS_KEY + ":" + SECRET_KEY);
    assertSent("Basic " + basic);
    for (String secret : List.of(SECRET_KEY, basic)) {
      assertAbsent(secret, describe(failure), logger.text(), ClearmlConfig.from(config).toString());
    }
  }

  @Test
  void aPreIssuedTokenReachesTheServerOnly() {
    Map<String, String> config = config(Map.of("auth_token", TOKEN));

    Throwable failure = catchThrowable(() -> open(config));

    assertThat(failure).isInstanceOf(BackendException.class).hasMessageContaining("401");
    assertSent("Bearer " + TOKEN);
    assertAbsent(TOKEN, describe(failure), logger.text(), ClearmlConfig.from(config).toString());
  }

  private void open(Map<String, String> config) {
    new ClearmlBackendPlugin()
        .open(TestBackendContext.builder(scratch).config(config).logger(logger).build())
        .close();
  }

  private void assertSent(String authorization) {
    List<LoggedRequest> requests = server.findAll(anyRequestedFor(anyUrl()));
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    assertThat(requests)
        .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo(authorization));
    assertThat(logger.text()).as("the retry was logged").contains("503");
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
