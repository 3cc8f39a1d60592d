package dev.tracelet.plugin.wandb;

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
 * The W&amp;B API key reaches the server and nothing else: not the plugin's log, not its exceptions
 * or their stack traces, not the printouts of its settings. The server answers 503 once (so the
 * retry is logged) and then 401; the test first proves the key was sent, so a grep that finds
 * nothing means something.
 */
class SecretsDoNotLeakTest {
  private static final String API_KEY = "wandb-key-0b1c2d3e4f5a6b7c8d9e-do-not-leak";

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
                    .withBody("{\"errors\":[{\"message\":\"user is not logged in\"}]}")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void theApiKeyReachesTheServerOnly() {
    Map<String, String> config = new HashMap<>();
    config.put("base_url", "http://127.0.0.1:" + server.port());
    config.put("api_key", API_KEY);
    config.put("console", "off");
    config.put("heartbeat_seconds", "0");
    config.put("request_interval", "0");
    config.put("max_retries", "2");
    config.put("retry_backoff", "0.01");

    Throwable failure =
        catchThrowable(
            () ->
                new WandbBackendPlugin()
                    .open(
                        TestBackendContext.builder(scratch).config(config).logger(logger).build()));

    assertThat(failure).isInstanceOf(BackendException.class).hasMessageContaining("401");
    String basic =
        Base64.getEncoder().encodeToString(("api:" + API_KEY).getBytes(StandardCharsets.UTF_8));
    List<LoggedRequest> requests = server.findAll(anyRequestedFor(anyUrl()));
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    assertThat(requests)
        .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Basic " + basic));
    assertThat(logger.text()).as("the retry was logged").contains("503");
    WandbConfig parsed = WandbConfig.from(config, scratch);
    for (String secret : List.of(API_KEY, basic)) {
      assertAbsent(
          secret,
          describe(failure),
          logger.text(),
          parsed.toString(),
          parsed.apiHttpSettings("t").toString(),
          parsed.uploadHttpSettings("t").toString());
    }
  }
}
