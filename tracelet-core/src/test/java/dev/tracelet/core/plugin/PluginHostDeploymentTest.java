package dev.tracelet.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads real plugin JARs built by the reactor (the testkit's recording backend) from a plugins
 * folder in PF4J deployment mode, as a user's installation does.
 */
class PluginHostDeploymentTest {
  private static final Path RECORDING_JAR =
      Path.of(System.getProperty("tracelet.test.plugins", "target/test-plugins"))
          .resolve("tracelet-plugin-recording.jar");

  @TempDir Path dir;
  private Path plugins;

  @BeforeEach
  void pluginsFolder() throws IOException {
    assertThat(RECORDING_JAR).as("the reactor builds the recording plugin JAR").isRegularFile();
    plugins = Files.createDirectories(dir.resolve("plugins"));
  }

  private PluginHost host() {
    PluginHost host = new PluginHost(TraceletVersion.apiVersion(), new BackendRegistry());
    host.start(List.of(plugins));
    return host;
  }

  @Test
  void loadsABackendFromAPluginJarInItsOwnClassLoader() throws IOException {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    try (PluginHost host = host()) {
      RegisteredBackend b = host.registry().find("recording").orElseThrow();
      assertThat(b.pluginId()).isEqualTo("tracelet-plugin-recording");
      assertThat(b.plugin()).isInstanceOf(BackendPlugin.class);
      // Its own loader: plugin-first for its classes, the host's for the API.
      assertThat(b.plugin().getClass().getClassLoader())
          .isInstanceOf(TraceletPluginClassLoader.class);
      assertThat(b.plugin().getClass().getClassLoader().loadClass(BackendPlugin.class.getName()))
          .isSameAs(BackendPlugin.class);
      assertThat(host.reports())
          .anySatisfy(
              r -> {
                assertThat(r.id()).isEqualTo("tracelet-plugin-recording");
                assertThat(r.state()).isEqualTo("STARTED");
                assertThat(r.backends()).containsExactly("recording");
                assertThat(r.usable()).isTrue();
              });
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anExperimentDeliversIntoThePluginLoadedFromTheFolder() throws IOException {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    SettingsSources sources =
        new SettingsSources(
            Map.of(),
            Map.of("tracelet.plugins_dir", plugins.toString(), "tracelet.track_system", "false"),
            dir,
            null);
    try (TraceletEngine engine = TraceletEngine.create(sources)) {
      assertThat(engine.registry().find("recording").orElseThrow().pluginId())
          .isEqualTo("tracelet-plugin-recording");
      DefaultExperiment exp =
          (DefaultExperiment)
              engine.startExperiment(
                  StartOptions.builder("packaged").backends("recording").build());
      for (int i = 0; i < 1_000; i++) {
        exp.logMetric("loss", 1.0 / (i + 1), i);
      }
      exp.logParams(Map.of("lr", 0.01));
      DeliveryReport report = exp.end(RunStatus.FINISHED);
      assertThat(report.backends().get(0).delivered()).isEqualTo(1_001);
      assertThat(report.complete()).isTrue();
    }
  }

  @Test
  void aPluginRequiringANewerTraceletIsRefusedWithTheReason() throws IOException {
    rewriteManifest(
        RECORDING_JAR,
        plugins.resolve("future.jar"),
        m -> m.getMainAttributes().put(new Attributes.Name("Plugin-Requires"), ">=99.0.0"),
        e -> true);
    try (PluginHost host = host()) {
      assertThat(host.registry().find("recording").map(RegisteredBackend::pluginId))
          .isNotEqualTo(java.util.Optional.of("tracelet-plugin-recording"));
      PluginReport r = report(host, "tracelet-plugin-recording");
      assertThat(r.state()).isEqualTo("DISABLED");
      assertThat(r.error())
          .contains("requires Tracelet >=99.0.0")
          .contains("this is Tracelet " + TraceletVersion.apiVersion());
    }
  }

  @Test
  void aCorruptJarIsReportedAndTheOthersStillLoad() throws IOException {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    Files.write(
        plugins.resolve("broken.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
    try (PluginHost host = host()) {
      assertThat(host.registry().find("recording").orElseThrow().pluginId())
          .isEqualTo("tracelet-plugin-recording");
      PluginReport broken = report(host, "broken.jar");
      assertThat(broken.state()).isEqualTo("BROKEN");
      assertThat(broken.error()).isNotBlank();
      assertThat(broken.file()).endsWith("broken.jar");
    }
  }

  @Test
  void aJarWithoutExtensionIndexIsExplained() throws IOException {
    rewriteManifest(
        RECORDING_JAR,
        plugins.resolve("noindex.jar"),
        m -> {},
        e -> !e.getName().equals("META-INF/extensions.idx"));
    try (PluginHost host = host()) {
      PluginReport r = report(host, "tracelet-plugin-recording");
      assertThat(r.usable()).isFalse();
      assertThat(r.error()).contains("extensions.idx");
    }
  }

  private static PluginReport report(PluginHost host, String id) {
    return host.reports().stream()
        .filter(r -> r.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no report for " + id + " in " + host.reports()));
  }

  /** Copies a JAR, changing its manifest and keeping only the entries {@code keep} accepts. */
  private static void rewriteManifest(
      Path from, Path to, java.util.function.Consumer<Manifest> change, Predicate<JarEntry> keep)
      throws IOException {
    try (JarInputStream in = new JarInputStream(Files.newInputStream(from))) {
      Manifest manifest = new Manifest(in.getManifest());
      change.accept(manifest);
      try (OutputStream os = Files.newOutputStream(to);
          JarOutputStream out = new JarOutputStream(os, manifest)) {
        JarEntry e;
        while ((e = in.getNextJarEntry()) != null) {
          if (keep.test(e)) {
            out.putNextEntry(new JarEntry(e.getName()));
            copy(in, out);
            out.closeEntry();
          }
        }
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    in.transferTo(out);
  }

  @Test
  void anAllowListLoadsOnlyTheJarsItNames() throws IOException {
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    rewriteManifest(
        RECORDING_JAR,
        plugins.resolve("other.jar"),
        m -> m.getMainAttributes().put(new Attributes.Name("Plugin-Id"), "other-plugin"),
        e -> true);
    String approved =
        dev.tracelet.api.artifact.TraceletArtifact.sha256(plugins.resolve("recording.jar"));
    try (PluginHost host = new PluginHost(TraceletVersion.apiVersion(), new BackendRegistry())) {
      host.start(List.of(plugins), java.util.Set.of(approved));
      assertThat(host.registry().find("recording").orElseThrow().pluginId())
          .isEqualTo("tracelet-plugin-recording");
      PluginReport refused = report(host, "other.jar");
      assertThat(refused.state()).isEqualTo("REFUSED");
      assertThat(refused.error()).contains("plugins_allowed_sha256").contains("SHA-256");
    }
  }
}
