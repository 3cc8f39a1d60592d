package dev.tracelet.benchmarks.mlflow;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The context the runtime would hand the MLflow backend, built by hand for the harness. */
record BenchContext(
    Map<String, String> config,
    String runId,
    String experimentName,
    String project,
    Instant startTime,
    Path scratchDir)
    implements BackendContext {
  @Override
  public List<String> tags() {
    return List.of("benchmark");
  }

  @Override
  public ExperimentConfig experimentConfig() {
    throw new UnsupportedOperationException("not used by the MLflow backend");
  }

  @Override
  public boolean resumed() {
    return false;
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("tracelet.mlflow");
  }

  @Override
  public String hostVersion() {
    return "0.1.0";
  }
}
