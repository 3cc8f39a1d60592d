package dev.tracelet.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryingCallerTest {
  private static final Instant NOW = Instant.parse("2015-10-21T07:28:00Z");

  private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
  private final List<Duration> sleeps = new ArrayList<>();
  private ManagedHttpClient client;

  @BeforeEach
  void start() {
    server.start();
    client =
        ManagedHttpClient.create(
            HttpClientSettings.builder()
                .readTimeout(Duration.ofSeconds(5))
                .auth(HttpAuth.basic("alice", "s3cret-pw"))
                .build());
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
  }

  private RetryingCaller caller(RetryPolicy policy) {
    return new RetryingCaller(
        client.okHttp(),
        policy,
        sleeps::add,
        () -> 0.5,
        Clock.fixed(NOW, ZoneOffset.UTC),
        System.getLogger("test"));
  }

  private RetryPolicy policy(int retries) {
    return new RetryPolicy(
        retries,
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(10),
        true,
        Duration.ofMinutes(1));
  }

  private Request request(String path) {
    return new Request.Builder().url(server.url(path)).build();
  }

  private void failTwiceThen(int status, String header, String value) {
    server.stubFor(
        get("/x")
            .inScenario("s")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(status).withHeader(header, value))
            .willSetStateTo("one"));
    server.stubFor(
        get("/x")
            .inScenario("s")
            .whenScenarioStateIs("one")
            .willReturn(aResponse().withStatus(status).withHeader(header, value))
            .willSetStateTo("two"));
    server.stubFor(get("/x").inScenario("s").whenScenarioStateIs("two").willReturn(ok("done")));
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504})
  void retriesTransientStatusesWithExponentialBackoffAndJitter(int status) throws IOException {
    failTwiceThen(status, "X-Nothing", "1");
    try (Response r = caller(policy(5)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(3, getRequestedFor(urlPathEqualTo("/x")));
    assertThat(sleeps).containsExactly(Duration.ofMillis(105), Duration.ofMillis(205));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 409, 501})
  void neverRetriesOtherClientErrors(int status) throws IOException {
    server.stubFor(get("/x").willReturn(aResponse().withStatus(status)));
    try (Response r = caller(policy(5)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(status);
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/x")));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void honoursRetryAfterInSeconds() throws IOException {
    failTwiceThen(429, "Retry-After", "7");
    try (Response r = caller(policy(5)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
  }

  @Test
  void honoursRetryAfterAsHttpDate() throws IOException {
    failTwiceThen(503, "Retry-After", "Wed, 21 Oct 2015 07:28:03 GMT");
    try (Response r = caller(policy(5)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  @Test
  void givesTheAnswerBackAtOnceWhenRetryAfterIsTooLong() throws IOException {
    server.stubFor(
        get("/x").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "3600")));
    try (Response r = caller(policy(5)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(503);
    }
    server.verify(1, getRequestedFor(urlPathEqualTo("/x")));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void returnsTheLastAnswerWhenRetriesRunOut() throws IOException {
    server.stubFor(get("/x").willReturn(aResponse().withStatus(502)));
    try (Response r = caller(policy(2)).execute(request("/x"))) {
      assertThat(r.code()).isEqualTo(502);
    }
    server.verify(3, getRequestedFor(urlPathEqualTo("/x")));
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void retriesConnectionFailures() throws IOException {
    server.stubFor(
        post("/x")
            .inScenario("reset")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
            .willSetStateTo("ok"));
    server.stubFor(post("/x").inScenario("reset").whenScenarioStateIs("ok").willReturn(ok("{}")));
    Request post =
        new Request.Builder()
            .url(server.url("/x"))
            .post(JsonCodec.body("{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .build();
    try (Response r = caller(policy(3)).execute(post)) {
      assertThat(r.code()).isEqualTo(200);
    }
    server.verify(2, postRequestedFor(urlPathEqualTo("/x")));
  }

  @Test
  void rethrowsTheLastFailureWhenRetriesRunOut() {
    server.stubFor(get("/x").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
    assertThatThrownBy(() -> caller(policy(1)).execute(request("/x")))
        .isInstanceOf(IOException.class);
    server.verify(2, getRequestedFor(urlPathEqualTo("/x")));
  }

  @Test
  void refusedConnectionsAreRetriedThenReported() {
    int port = server.port();
    server.stop();
    Request r = new Request.Builder().url("http://127.0.0.1:" + port + "/x").build();
    assertThatThrownBy(() -> caller(policy(2)).execute(r)).isInstanceOf(IOException.class);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void sendsCredentialsButNeverPrintsThem() {
    server.stubFor(
        get(urlPathEqualTo("/x"))
            .willReturn(
                aResponse().withStatus(403).withBody("{\"error_code\":\"PERMISSION_DENIED\"}")));
    Request r =
        new Request.Builder()
            .url(
                server.url("/x").replace("http://", "http://bob:urlpw@")
                    + "?access_token=tok123&q=1")
            .build();
    HttpResponseException e;
    try {
      e = HttpResponseException.of(caller(policy(0)).execute(r));
    } catch (IOException io) {
      throw new AssertionError(io);
    }
    server.verify(
        getRequestedFor(urlPathEqualTo("/x"))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                    "Basic YWxpY2U6czNjcmV0LXB3")));
    assertThat(e.status()).isEqualTo(403);
    assertThat(e.getMessage())
        .contains("403", "PERMISSION_DENIED", "q=1")
        .doesNotContain("s3cret-pw", "urlpw", "tok123", "YWxpY2U6czNjcmV0LXB3");
  }
}
