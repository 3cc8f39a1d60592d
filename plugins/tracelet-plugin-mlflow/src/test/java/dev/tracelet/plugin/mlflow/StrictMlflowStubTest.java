package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stub itself refuses what MLflow refuses, so the session tests mean something. */
class StrictMlflowStubTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private StrictMlflowStub stub;
  private String runId;

  @BeforeEach
  void start() throws Exception {
    stub = new StrictMlflowStub();
    post("experiments/create", "{\"name\":\"e\"}", "application/json");
    String run =
        post(
                "runs/create",
                "{\"experiment_id\":\"1\",\"start_time\":1700000000000}",
                "application/json")
            .body();
    runId = run.replaceAll("(?s).*\"run_id\":\"(\\w+)\".*", "$1");
  }

  @AfterEach
  void stop() {
    stub.shutdown();
  }

  private HttpResponse<String> post(String path, String body, String type) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(stub.uri() + "/api/2.0/mlflow/" + path))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> batch(String inner) throws Exception {
    return post(
        "runs/log-batch", "{\"run_id\":\"" + runId + "\"," + inner + "}", "application/json");
  }

  private static String metrics(int n) {
    StringBuilder b = new StringBuilder("\"metrics\":[");
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "," : "")
          .append("{\"key\":\"m\",\"value\":1,\"timestamp\":1700000000000,\"step\":")
          .append(i)
          .append('}');
    }
    return b.append(']').toString();
  }

  @Test
  void acceptsAWellFormedBatch() throws Exception {
    assertThat(batch(metrics(1_000)).statusCode()).isEqualTo(200);
    assertThat(stub.runs.get(runId).metrics).hasSize(1_000);
  }

  @Test
  void refusesOtherContentTypes() throws Exception {
    HttpResponse<String> r = post("runs/log-batch", "{\"run_id\":\"" + runId + "\"}", "text/plain");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("INVALID_PARAMETER_VALUE");
  }

  @Test
  void refusesOversizeBatches() throws Exception {
    assertThat(batch(metrics(1_001)).statusCode()).isEqualTo(400);
    StringBuilder tags = new StringBuilder("\"tags\":[");
    for (int i = 0; i < 100; i++) {
      tags.append(i > 0 ? "," : "")
          .append("{\"key\":\"t")
          .append(i)
          .append("\",\"value\":\"")
          .append("\u00e9".repeat(5_000))
          .append("\"}");
    }
    assertThat(batch(tags.append(']').toString()).statusCode()).as("over 1 MB").isEqualTo(400);
    String huge =
        "\"params\":["
            + "{\"key\":\"p\",\"value\":\"v\"},".repeat(100)
            + "{\"key\":\"q\",\"value\":\"v\"}]";
    assertThat(batch(huge).statusCode()).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a//b", "/a", "bad!", "a/", "../a"})
  void refusesBadKeys(String key) throws Exception {
    assertThat(batch("\"params\":[{\"key\":\"" + key + "\",\"value\":\"1\"}]").statusCode())
        .isEqualTo(400);
  }

  @Test
  void refusesChangedParamsBareNanAndSecondsTimestamps() throws Exception {
    assertThat(batch("\"params\":[{\"key\":\"p\",\"value\":\"1\"}]").statusCode()).isEqualTo(200);
    assertThat(batch("\"params\":[{\"key\":\"p\",\"value\":\"1\"}]").statusCode()).isEqualTo(200);
    assertThat(batch("\"params\":[{\"key\":\"p\",\"value\":\"2\"}]").statusCode()).isEqualTo(400);
    assertThat(
            batch("\"metrics\":[{\"key\":\"m\",\"value\":NaN,\"timestamp\":1700000000000}]")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            batch("\"metrics\":[{\"key\":\"m\",\"value\":\"NaN\",\"timestamp\":1700000000000}]")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            batch("\"metrics\":[{\"key\":\"m\",\"value\":true,\"timestamp\":1700000000000}]")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            batch("\"metrics\":[{\"key\":\"m\",\"value\":1,\"timestamp\":1700000000}]")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void refusesWritesToAnEndedRun() throws Exception {
    assertThat(
            post("runs/update", "{\"run_id\":\"" + runId + "\",\"status\":3}", "application/json")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            post(
                    "runs/update",
                    "{\"run_id\":\""
                        + runId
                        + "\",\"status\":\"FINISHED\",\"end_time\":1700000001000}",
                    "application/json")
                .statusCode())
        .isEqualTo(200);
    assertThat(batch(metrics(1)).statusCode()).isEqualTo(400);
  }

  @Test
  void refusesASecondExperimentWithTheSameName() throws Exception {
    HttpResponse<String> r = post("experiments/create", "{\"name\":\"e\"}", "application/json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("RESOURCE_ALREADY_EXISTS");
  }
}
