package dev.tracelet.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.plugin.mlflow.MlflowStubAccess;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The MLflow plugin's strict stub. */
final class MlflowStub implements StubServer {
  private final MlflowStubAccess stub = new MlflowStubAccess();

  @Override
  public String backend() {
    return "mlflow";
  }

  @Override
  public String url() {
    return stub.uri();
  }

  @Override
  public boolean isDataPath(String path) {
    return path.endsWith("/api/2.0/mlflow/runs/log-batch");
  }

  @Override
  public Map<String, String> environment(String serverUrl) {
    return Map.of("MLFLOW_TRACKING_URI", serverUrl);
  }

  @Override
  public Map<String, String> quickRetries() {
    return Map.of(
        "TRACELET_MLFLOW_MAX_RETRIES", Integer.toString(quickRetryCount()),
        "TRACELET_MLFLOW_BACKOFF_FACTOR", "0.05",
        "TRACELET_MLFLOW_BACKOFF_JITTER", "0.05");
  }

  @Override
  public int quickRetryCount() {
    return 2;
  }

  @Override
  public Map<String, String> requestTimeout(int seconds) {
    return Map.of("TRACELET_MLFLOW_REQUEST_TIMEOUT", Integer.toString(seconds));
  }

  /**
   * Read as MLflow's SQL store keeps points: a point identical in key, step, timestamp and value to
   * one it has is not stored again (its primary key; {@code SqlAlchemyStore._log_metrics} ignores
   * the duplicate). So a log-batch sent again because its answer was lost leaves one copy on a real
   * server; the stub, which appends every row, is read with that rule. Two different points at one
   * step still count twice.
   */
  @Override
  public RunContents contents(String runId) {
    MlflowStubAccess.RunView run =
        stub.runOf(runId)
            .orElseThrow(() -> new AssertionError("the MLflow stub has no run of " + runId));
    Set<List<String>> distinct = new LinkedHashSet<>();
    for (JsonNode m : run.metrics()) {
      distinct.add(
          List.of(
              m.path("key").asText(),
              m.path("step").asText("0"),
              m.path("timestamp").asText(),
              m.path("value").asText()));
    }
    Map<String, Map<Long, List<Double>>> points = new TreeMap<>();
    for (List<String> row : distinct) {
      points
          .computeIfAbsent(row.get(0), k -> new TreeMap<>())
          .computeIfAbsent(Long.parseLong(row.get(1)), k -> new ArrayList<>())
          .add(Double.parseDouble(row.get(3)));
    }
    return new RunContents(
        points,
        run.params(),
        run.tags(),
        run.status().equals("FINISHED"),
        run.metrics().size() - distinct.size());
  }

  @Override
  public void close() {
    stub.close();
  }
}
