package dev.tracelet.plugin.mlflow;

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
 * MLflow credentials reach the server and nothing else: not the plugin's log, not its exceptions or
 * their stack traces, not the printouts of its settings. The server answers 503 once (so the retry
 * is logged) and then 401 (so the call fails); each check first proves the secret was sent, so a
 * grep that finds nothing means something.
 */
class SecretsDoNotLeakTest {
  private static final String TOKEN = "mlflow-token-7f3a9c1e5b-do-not-leak";
  private static final String PASSWORD = "mlflow-password-4d2b8e6a0c-do-not-leak";

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
                        "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"Invalid token\"}")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private Map<String, String> config(Map<String, String> credentials) {
    Map<String, String> c = new HashMap<>(credentials);
    c.put("tracking_uri", "http://127.0.0.1:" + server.port());
    c.put("max_retries", "2");
    c.put("backoff_factor", "0.01");
    c.put("backoff_jitter", "0");
    return c;
  }

  @Test
  void aBearerTokenReachesTheServerOnly() {
    Map<String, String> config = config(Map.of("token", TOKEN));

    Throwable failure =
        catchThrowable(
            () ->
                new MlflowBackendPlugin()
                    .open(
                        TestBackendContext.builder(scratch).config(config).logger(logger).build()));

    assertThat(failure).isInstanceOf(BackendException.class).hasMessageContaining("401");
    assertSent("Bearer " + TOKEN);
    assertThat(logger.text()).as("the retry was logged").contains("503");
    assertAbsent(
        TOKEN,
        describe(failure),
        logger.text(),
        MlflowConfig.from(config, scratch).toString(),
        MlflowConfig.from(config, scratch).httpSettings("t").toString());
  }

  @Test
  void aBasicPasswordReachesTheServerOnly() {
    Map<String, String> config = config(Map.of("username", "alice", "password", PASSWORD));

    Throwable failure =
        catchThrowable(
            () ->
                new MlflowBackendPlugin()
                    .openStore(
                        TestBackendContext.builder(scratch).config(config).logger(logger).build())
                    .orElseThrow()
                    .listExperiments());

    assertThat(failure).isInstanceOf(BackendException.class).hasMessageContaining("401");
    String basic = base64("alice:" + PASSWORD);
    assertSent("Basic " + basic);
    for (String secret : List.of(PASSWORD, basic)) {
      assertAbsent(
          secret,
          describe(failure),
          logger.text(),
          MlflowConfig.from(config, scratch).toString(),
          MlflowConfig.from(config, scratch).httpSettings("t").toString());
    }
  }

  /** Every request the server received carried these credentials. */
  private void assertSent(String authorization) {
    List<LoggedRequest> requests = server.findAll(anyRequestedFor(anyUrl()));
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    assertThat(requests)
        .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo(authorization));
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
