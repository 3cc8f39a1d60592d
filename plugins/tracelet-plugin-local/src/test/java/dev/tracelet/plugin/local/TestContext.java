package dev.tracelet.plugin.local;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A {@link BackendContext} as the runtime would build it, for tests and child processes. */
record TestContext(
    Map<String, String> config,
    String runId,
    String experimentName,
    String project,
    List<String> tags,
    Instant startTime,
    ExperimentConfig experimentConfig,
    boolean resumed,
    Path scratchDir)
    implements BackendContext {

  /** Capture off: most tests are about the store, not about the machine they run on. */
  static final ExperimentConfig NO_CAPTURE =
      ExperimentConfig.builder().trackGit(false).trackEnvironment(false).trackArgs(false).build();

  static TestContext of(Path storeDir, String project) {
    return new TestContext(
        Map.of("dir", storeDir.toString(), "busy_timeout_ms", "60000"),
        newRunId(),
        "run",
        project,
        List.of(),
        Instant.now(),
        NO_CAPTURE,
        false,
        storeDir.resolveSibling(storeDir.getFileName() + "-scratch"));
  }

  static String newRunId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  TestContext withRunId(String id) {
    return new TestContext(
        config,
        id,
        experimentName,
        project,
        tags,
        startTime,
        experimentConfig,
        resumed,
        scratchDir);
  }

  TestContext resuming() {
    return new TestContext(
        config,
        runId,
        experimentName,
        project,
        tags,
        startTime,
        experimentConfig,
        true,
        scratchDir);
  }

  TestContext withName(String name) {
    return new TestContext(
        config, runId, name, project, tags, startTime, experimentConfig, resumed, scratchDir);
  }

  TestContext withTags(List<String> t) {
    return new TestContext(
        config,
        runId,
        experimentName,
        project,
        t,
        startTime,
        experimentConfig,
        resumed,
        scratchDir);
  }

  TestContext withStart(Instant start) {
    return new TestContext(
        config, runId, experimentName, project, tags, start, experimentConfig, resumed, scratchDir);
  }

  TestContext withCapture(ExperimentConfig c) {
    return new TestContext(
        config, runId, experimentName, project, tags, startTime, c, resumed, scratchDir);
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("tracelet.test.local");
  }

  @Override
  public String hostVersion() {
    return "0.1.0";
  }
}
