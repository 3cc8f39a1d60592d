package com.example.tracelet.jsonl;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.BackendOutage;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The whole Tracelet compatibility kit against the {@code jsonl} backend. */
class JsonlBackendCompatibilityTest extends BackendCompatibilityKit {
  @Override
  protected BackendPlugin plugin() {
    return new JsonlBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    return Map.of("dir", runsDir().toString());
  }

  @Override
  protected RunReadback readback(String runId) {
    return new JsonlRunReadback(runsDir(), runId);
  }

  @Override
  protected boolean resumesRuns() {
    return true;
  }

  /**
   * The folder goes away, as an unmounted share does, and a plain file takes its place so that
   * nothing can be written under it; then the folder comes back with what it held.
   */
  @Override
  protected Optional<BackendOutage> outage() {
    Path dir = runsDir();
    Path away = dir.resolveSibling("runs-unmounted");
    return Optional.of(
        new BackendOutage() {
          @Override
          public void begin() throws Exception {
            if (Files.exists(dir)) {
              Files.move(dir, away);
            }
            Files.writeString(dir, "not a folder");
          }

          @Override
          public void end() throws Exception {
            Files.delete(dir);
            if (Files.exists(away)) {
              Files.move(away, dir);
            }
          }
        });
  }

  private Path runsDir() {
    return scratchDir().resolve("runs");
  }
}
