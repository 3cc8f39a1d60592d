package dev.tracelet.plugin.wandb;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tracelet.http.JsonCodec;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request that times out is a failure like any other: it must not leave the interrupt flag set on
 * the calling thread, which is the host's delivery thread, whose later waits and journal writes
 * would then all fail. A real interrupt still reads as one.
 */
class RequestTimeoutTest {
  private WireMockServer silent;
  private HttpTransport transport;
  private final ObjectNode body = new JsonCodec().newObject();

  @BeforeEach
  void start() {
    silent = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    silent.start();
    silent.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    WandbConfig config =
        WandbConfig.from(
            Map.of(
                "base_url", "http://127.0.0.1:" + silent.port(),
                "api_key", "timeout-test-key",
                "max_retries", "0",
                "filestream_timeout", "0.3",
                "graphql_timeout", "0.3"));
    transport = new HttpTransport(config, new RecordingLogger(), "timeout-test");
  }

  @AfterEach
  void stop() {
    transport.close();
    silent.stop();
  }

  @Test
  void aFileStreamRequestThatTimesOutFailsWithoutInterruptingTheThread() {
    WandbRequestException e =
        catchThrowableOfType(
            WandbRequestException.class,
            () -> transport.sendFileStream(new RunPath("e", "p", "r"), body, true));

    assertThat(e.permanent()).isFalse();
    assertThat(e.getMessage()).contains("could not reach").doesNotContain("interrupted");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aGraphqlCallThatTimesOutFailsWithoutInterruptingTheThread() {
    WandbRequestException e =
        catchThrowableOfType(WandbRequestException.class, () -> transport.upsertRun(body));

    assertThat(e.permanent()).isFalse();
    assertThat(e.getMessage()).doesNotContain("interrupted");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void anInterruptedCallSaysSoAndKeepsTheFlag() {
    Thread.currentThread().interrupt();

    WandbRequestException e =
        catchThrowableOfType(
            WandbRequestException.class,
            () -> transport.sendFileStream(new RunPath("e", "p", "r"), body, true));

    // Thread.interrupted() clears the flag again for the rest of the test.
    assertThat(Thread.interrupted()).as("interrupt flag after the call").isTrue();
    assertThat(e.getMessage()).contains("was interrupted");
  }
}
