package dev.tracelet.testkit.recording;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The recording backend through the whole kit, read back through its own {@code RunStore}: the
 * example a third-party backend's test follows (it lives outside the kit's package on purpose).
 */
class RecordingBackendCompatibilityTest extends BackendCompatibilityKit {
  @Override
  protected BackendPlugin plugin() {
    return new RecordingBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    // A smaller limit than the default keeps the full-batch check's work small.
    return Map.of("max_batch_events", "250");
  }

  @Override
  protected RunReadback readback(String runId) {
    return RunReadback.fromStore(plugin().openStore(pluginContext()).orElseThrow(), runId);
  }

  @Override
  protected boolean resumesRuns() {
    return true;
  }

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }
}
