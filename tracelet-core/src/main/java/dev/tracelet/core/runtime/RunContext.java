package dev.tracelet.core.runtime;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What one backend session is told about its run. Holds only that backend's settings. */
record RunContext(
    Map<String, String> config,
    System.Logger logger,
    Path scratchDir,
    String hostVersion,
    String runId,
    String experimentName,
    String project,
    List<String> tags,
    Instant startTime,
    ExperimentConfig experimentConfig,
    boolean resumed)
    implements BackendContext {
  RunContext {
    config = Map.copyOf(config);
    tags = List.copyOf(tags);
  }

  /** Secrets stay out of logs even when a plugin prints its context. */
  @Override
  public String toString() {
    return "RunContext{runId="
        + runId
        + ", experimentName="
        + experimentName
        + ", project="
        + project
        + ", config keys="
        + new java.util.TreeSet<>(config.keySet())
        + '}';
  }
}
