package dev.tracelet.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.settings.SettingsSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tracelet runtimes for the fault suite: isolated from this machine's environment and settings
 * files, with the plugins loaded by PF4J from the folder the build filled with the packaged plugin
 * JARs, as a user's installation loads them.
 */
final class Engines {
  private Engines() {}

  /** The folder with the packaged plugin JARs ({@code fault.plugins.dir}, set by the build). */
  static Path pluginsDir() {
    String dir = System.getProperty("fault.plugins.dir");
    assertThat(dir)
        .as("system property fault.plugins.dir (set by the build to the packaged plugins)")
        .isNotBlank();
    Path p = Path.of(dir);
    assertThat(p.resolve("tracelet-plugin-mlflow.jar")).exists();
    assertThat(p.resolve("tracelet-plugin-wandb.jar")).exists();
    assertThat(p.resolve("tracelet-plugin-clearml.jar")).exists();
    return p;
  }

  /**
   * An engine logging to {@code backend}, whose environment is {@code environment} and nothing
   * else, journaling under {@code workDir}, waiting at most {@code shutdownTimeout} for delivery
   * when a run ends (a guard against hanging, never a speed limit).
   */
  static TraceletEngine create(
      Path workDir, String backend, Map<String, String> environment, Duration shutdownTimeout) {
    Map<String, String> props = new HashMap<>();
    props.put("tracelet.backend", backend);
    props.put("tracelet.plugins_dir", pluginsDir().toString());
    props.put("tracelet.plugins_watch", "false");
    props.put("tracelet.journal_dir", workDir.resolve("journal").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.track_git", "false");
    props.put("tracelet.track_env", "false");
    props.put("tracelet.shutdown_timeout", shutdownTimeout.toSeconds() + "s");
    try {
      Files.createDirectories(workDir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    TraceletEngine engine =
        TraceletEngine.create(new SettingsSources(environment, props, workDir, null));
    List<String> problems = engine.problems();
    if (!problems.isEmpty()) {
      engine.close();
      throw new AssertionError("the runtime reports problems: " + problems);
    }
    return engine;
  }

  /** Asserts that {@code backend} came from a plugin JAR of the folder, not the class path. */
  static void assertLoadedFromPluginJar(TraceletEngine engine, String backend) {
    RegisteredBackend b =
        engine
            .registry()
            .find(backend)
            .orElseThrow(() -> new AssertionError("backend " + backend + " is not installed"));
    assertThat(b.pluginId()).as("plugin id of backend " + backend).isNotNull();
    assertThat(b.loader()).isNotSameAs(Engines.class.getClassLoader());
  }
}
