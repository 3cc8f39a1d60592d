package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MLflow plugin's {@link StrictMlflowStub}, which is package-private, opened up to the fault
 * suite: its URL, and copies of what it holds for one run.
 */
public final class MlflowStubAccess implements AutoCloseable {
  private final StrictMlflowStub stub = new StrictMlflowStub();

  /** What the stub holds for one run, copied. */
  public record RunView(
      String mlflowRunId,
      String status,
      List<JsonNode> metrics,
      Map<String, String> params,
      Map<String, String> tags) {}

  public String uri() {
    return stub.uri();
  }

  /** The run whose {@code tracelet.run_id} tag is {@code traceletRunId}, if the stub has it. */
  public Optional<RunView> runOf(String traceletRunId) {
    // The stub changes its state under its own monitor.
    synchronized (stub) {
      for (StrictMlflowStub.Run run : stub.runs.values()) {
        if (traceletRunId.equals(run.tags.get("tracelet.run_id"))) {
          return Optional.of(
              new RunView(
                  run.id,
                  run.status,
                  List.copyOf(run.metrics),
                  Map.copyOf(run.params),
                  Map.copyOf(run.tags)));
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    stub.shutdown();
  }
}
