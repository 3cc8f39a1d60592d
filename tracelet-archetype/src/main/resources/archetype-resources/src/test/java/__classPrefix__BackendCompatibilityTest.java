package ${package};

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.BackendOutage;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Tracelet's compatibility kit against the ${backendName} backend: lifecycle, batching limits, bad
 * input, close semantics, artifacts (skipped while the backend stores none), resume, retries
 * through an outage, and concurrency. Keep it passing as the backend grows.
 */
class ${classPrefix}BackendCompatibilityTest extends BackendCompatibilityKit {
  @Override
  protected BackendPlugin plugin() {
    return new ${classPrefix}BackendPlugin();
  }

  /** The backend's settings, without the "${backendName}." prefix. */
  @Override
  protected Map<String, String> config(Path scratchDir) {
    return Map.of("dir", runsDir().toString());
  }

  @Override
  protected RunReadback readback(String runId) {
    return new ${classPrefix}RunReadback(runsDir(), runId);
  }

  @Override
  protected boolean resumesRuns() {
    return true;
  }

  /**
   * Takes the backend down: the folder goes away and a plain file stands in its place. Against a
   * mock server, stub every request to answer 503 in begin() and remove that stub in end().
   */
  @Override
  protected Optional<BackendOutage> outage() {
    Path dir = runsDir();
    Path away = dir.resolveSibling("runs-away");
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
