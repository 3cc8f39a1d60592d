package dev.tracelet.plugin.local;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.Map;

/** The whole Tracelet compatibility kit against the local SQLite store, read back through it. */
class LocalBackendCompatibilityTest extends BackendCompatibilityKit {
  @Override
  protected BackendPlugin plugin() {
    return new LocalBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    return Map.of("dir", scratchDir.resolve("tracelet-runs").toString());
  }

  @Override
  protected RunReadback readback(String runId) {
    return RunReadback.fromStore(plugin().openStore(pluginContext()).orElseThrow(), runId);
  }

  @Override
  protected boolean resumesRuns() {
    return true;
  }
}
