package dev.tracelet.plugin.mlflow;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A BackendContext as the runtime would build it, for tests. */
record TestContext(
    Map<String, String> config,
    String runId,
    String experimentName,
    String project,
    List<String> tags,
    Instant startTime,
    boolean resumed,
    Path scratchDir,
    RecordingLogger recorder)
    implements BackendContext {

  static TestContext of(String trackingUri, String project, Path scratch) {
    return new TestContext(
        Map.of(
            "tracking_uri",
            trackingUri,
            "max_retries",
            "2",
            "backoff_factor",
            "0.01",
            "backoff_jitter",
            "0"),
        UUID.randomUUID().toString().replace("-", ""),
        "run-" + System.nanoTime(),
        project,
        List.of("baseline", "team=vision", "stage:dev"),
        Instant.now(),
        false,
        scratch,
        new RecordingLogger());
  }

  TestContext withConfig(Map<String, String> more) {
    java.util.HashMap<String, String> c = new java.util.HashMap<>(config);
    c.putAll(more);
    return new TestContext(
        c, runId, experimentName, project, tags, startTime, resumed, scratchDir, recorder);
  }

  TestContext resumedRun() {
    return new TestContext(
        config, runId, experimentName, project, tags, startTime, true, scratchDir, recorder);
  }

  @Override
  public System.Logger logger() {
    return recorder;
  }

  @Override
  public ExperimentConfig experimentConfig() {
    throw new UnsupportedOperationException("not needed by the MLflow backend");
  }

  @Override
  public String hostVersion() {
    return "0.1.0";
  }
}
