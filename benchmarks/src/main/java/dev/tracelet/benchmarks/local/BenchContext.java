package dev.tracelet.benchmarks.local;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The context the runtime would hand the local backend, with run capture switched off. */
record BenchContext(Path storeDir, String runId, String project, Path scratchDir)
    implements BackendContext {

  static BenchContext newRun(Path storeDir, String project) {
    return new BenchContext(
        storeDir, UUID.randomUUID().toString().replace("-", ""), project, storeDir.getParent());
  }

  @Override
  public Map<String, String> config() {
    return Map.of("dir", storeDir.toString());
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("tracelet.bench.local");
  }

  @Override
  public String hostVersion() {
    return "0.1.0";
  }

  @Override
  public String experimentName() {
    return "bench";
  }

  @Override
  public List<String> tags() {
    return List.of();
  }

  @Override
  public Instant startTime() {
    return Instant.now();
  }

  @Override
  public ExperimentConfig experimentConfig() {
    return ExperimentConfig.builder()
        .trackGit(false)
        .trackEnvironment(false)
        .trackArgs(false)
        .build();
  }

  @Override
  public boolean resumed() {
    return false;
  }
}
