package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The whole compatibility kit against the MLflow backend talking to {@link StrictMlflowStub}, which
 * refuses what a real MLflow server refuses; what arrived is read from the stub's state.
 */
class MlflowCompatibilityTest extends BackendCompatibilityKit {
  private StrictMlflowStub stub;

  @BeforeEach
  void startStub() {
    stub = new StrictMlflowStub();
  }

  @AfterEach
  void stopStub() {
    stub.shutdown();
  }

  @Override
  protected BackendPlugin plugin() {
    return new MlflowBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    return Map.of(
        "tracking_uri",
        stub.uri(),
        "max_retries",
        "2",
        "backoff_factor",
        "0.01",
        "backoff_jitter",
        "0");
  }

  /** MLflow keeps at most 6,000 characters of a parameter; the plugin truncates with a warning. */
  @Override
  protected int maxParamValueLength() {
    return MlflowNames.MAX_PARAM_VALUE_LENGTH;
  }

  @Override
  protected RunReadback readback(String runId) {
    StrictMlflowStub.Run run =
        stub.runs.values().stream()
            .filter(r -> runId.equals(r.tags.get("tracelet.run_id")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no MLflow run tagged tracelet.run_id=" + runId));
    return new RunReadback() {
      @Override
      public List<MetricPoint> metric(String key) {
        List<MetricPoint> points = new ArrayList<>();
        for (JsonNode m : run.metrics) {
          if (key.equals(m.path("key").asText())) {
            points.add(
                new MetricPoint(
                    m.path("step").asLong(), m.path("timestamp").asLong(), value(m.get("value"))));
          }
        }
        points.sort(Comparator.comparingLong(MetricPoint::step));
        return points;
      }

      @Override
      public Map<String, String> params() {
        return Map.copyOf(run.params);
      }

      @Override
      public Map<String, String> tags() {
        return Map.copyOf(run.tags);
      }

      @Override
      public Optional<RunStatus> status() {
        return "RUNNING".equals(run.status)
            ? Optional.empty()
            : Optional.of(RunStatus.valueOf(run.status));
      }
    };
  }

  private static double value(JsonNode v) {
    if (v.isTextual()) {
      return switch (v.asText()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(v.asText());
      };
    }
    return v.asDouble();
  }
}
