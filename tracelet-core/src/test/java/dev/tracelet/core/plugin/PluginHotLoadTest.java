package dev.tracelet.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins come and go while the process runs: a JAR dropped into the folder is offered to new
 * experiments, a removed one is unloaded once its sessions end and its class loader is collected, a
 * replaced one is swapped. Waits poll with a generous deadline; nothing asserts how fast.
 */
class PluginHotLoadTest {
  private static final Path RECORDING_JAR =
      Path.of(System.getProperty("tracelet.test.plugins", "target/test-plugins"))
          .resolve("tracelet-plugin-recording.jar");
  private static final String ID = "tracelet-plugin-recording";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Path plugins;
  private TraceletEngine engine;

  @BeforeEach
  void startWithAnEmptyFolder() throws IOException {
    plugins = Files.createDirectories(dir.resolve("plugins"));
    engine =
        TraceletEngine.create(
            new SettingsSources(
                Map.of(),
                Map.of(
                    "tracelet.plugins_dir", plugins.toString(), "tracelet.track_system", "false"),
                dir,
                null));
    assertThat(pluginBackendLoaded()).isFalse();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private boolean pluginBackendLoaded() {
    return engine.registry().find("recording").map(b -> ID.equals(b.pluginId())).orElse(false);
  }

  @Test
  void aJarComesAndGoesWithoutDisturbingARunningExperiment() throws Exception {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    await(this::pluginBackendLoaded, "the dropped JAR is loaded");
    WeakReference<ClassLoader> loader = pluginLoader();

    Experiment exp =
        engine.startExperiment(StartOptions.builder("hot").backends("recording").build());
    for (int i = 0; i < 100; i++) {
      exp.logMetric("m", i, i);
    }
    exp.flush();

    Files.delete(plugins.resolve("recording.jar"));
    await(() -> !pluginBackendLoaded(), "the removed JAR's backend leaves the registry");
    // The run that was already using it keeps going until it ends.
    assertThat(engine.unloadingPlugins()).containsExactly(ID);
    for (int i = 100; i < 200; i++) {
      exp.logMetric("m", i, i);
    }
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.backends().get(0).delivered()).isEqualTo(200);
    assertThat(report.complete()).isTrue();

    await(() -> engine.unloadingPlugins().isEmpty(), "the plugin unloads after its last session");
    await(
        () -> {
          System.gc();
          return loader.get() == null;
        },
        "the unloaded plugin's class loader is garbage-collected");
  }

  @Test
  void aReplacedJarIsSwappedForTheNewVersion() throws Exception {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    await(this::pluginBackendLoaded, "the first version loads");
    assertThat(version()).isNotEqualTo("9.9.9");

    Path newer = dir.resolve("newer.jar");
    withVersion(RECORDING_JAR, newer, "9.9.9");
    // Replace the file as an installer would: write elsewhere, then move over the old one.
    Files.move(newer, plugins.resolve("recording.jar"), StandardCopyOption.REPLACE_EXISTING);
    await(() -> "9.9.9".equals(version()), "the new version replaces the old");
    assertThat(pluginBackendLoaded()).isTrue();
  }

  private String version() {
    return engine.plugins().stream()
        .filter(r -> r.id().equals(ID))
        .map(PluginReport::version)
        .findFirst()
        .orElse("");
  }

  private WeakReference<ClassLoader> pluginLoader() {
    return new WeakReference<>(engine.registry().find("recording").orElseThrow().loader());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  private static void withVersion(Path from, Path to, String version) throws IOException {
    try (JarInputStream in = new JarInputStream(Files.newInputStream(from))) {
      Manifest manifest = new Manifest(in.getManifest());
      manifest.getMainAttributes().put(new Attributes.Name("Plugin-Version"), version);
      try (OutputStream os = Files.newOutputStream(to);
          JarOutputStream out = new JarOutputStream(os, manifest)) {
        JarEntry e;
        while ((e = in.getNextJarEntry()) != null) {
          out.putNextEntry(new JarEntry(e.getName()));
          in.transferTo(out);
          out.closeEntry();
        }
      }
    }
  }
}
