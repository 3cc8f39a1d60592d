package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.plugin.clearml.stub.ClearmlStubServer;
import dev.tracelet.plugin.clearml.stub.StubTask;
import dev.tracelet.testkit.TestBackendContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * The packaged plugin JAR, loaded by PF4J from a plugins folder as the host does, runs a whole run
 * against the stub: proof that the extension index, the manifest and the relocated OkHttp, Okio,
 * Kotlin and Jackson inside it work together, and that its threads end when the session closes.
 */
class ClearmlPluginJarIT {
  @TempDir Path dir;

  @Test
  void theShadedJarRunsAWholeRunFromItsOwnClassLoader() throws IOException {
    Path jar = Path.of(System.getProperty("clearml.plugin.jar", "missing"));
    assertThat(jar).as("the packaged plugin JAR").isRegularFile();
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(jar, plugins.resolve("tracelet-plugin-clearml.jar"));

    PluginManager manager = new JarPluginManager(plugins);
    manager.loadPlugins();
    manager.startPlugins();
    try (ClearmlStubServer stub = ClearmlStubServer.start()) {
      assertThat(manager.getPlugin("tracelet-plugin-clearml").getPluginState())
          .isEqualTo(PluginState.STARTED);
      List<BackendPlugin> backends =
          manager.getExtensions(BackendPlugin.class, "tracelet-plugin-clearml");
      assertThat(backends).singleElement();
      BackendPlugin backend = backends.get(0);
      assertThat(backend.getClass().getClassLoader())
          .as("loaded from the JAR, not the test class path")
          .isSameAs(manager.getPluginClassLoader("tracelet-plugin-clearml"));
      assertThat(backend.metadata().name()).isEqualTo("clearml");

      Path scratch = Files.createDirectories(dir.resolve("scratch"));
      TestBackendContext context =
          TestBackendContext.builder(scratch).project("packaged").config(stub.config()).build();
      BackendSession session = backend.open(context);
      session.log(
          new EventBatch(
              List.of(
                  new MetricEvent("train/loss", 0.5, 1, 1_700_000_000_000L),
                  new MetricEvent("train/loss", 0.25, 2, 1_700_000_001_000L)),
              List.of(new ParamEvent("lr", 0.01)),
              List.of()));
      Path model = Files.writeString(scratch.resolve("model.onnx"), "onnx-bytes");
      session.logArtifact(
          new TraceletArtifact("model", ArtifactType.MODEL, null).addFile(model, null, null));
      session.close(RunStatus.FINISHED);

      StubTask task = stub.taskOfRun(context.runId()).orElseThrow();
      assertThat(task.status()).isEqualTo("completed");
      assertThat(task.section("General")).containsEntry("lr", "0.01");
      assertThat(stub.events(task.id())).hasSize(2);
      assertThat(task.artifacts()).singleElement();

      String shortId = context.runId().substring(0, 8);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!sessionThreads(shortId).isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(sessionThreads(shortId)).as("threads of the closed session").isEmpty();
    } finally {
      // unloadPlugin stops it first (stopPlugins() trips over its own list in PF4J 3.15.0).
      assertThat(manager.unloadPlugin("tracelet-plugin-clearml")).isTrue();
    }
  }

  private static List<String> sessionThreads(String shortId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("tracelet-clearml-") && n.contains(shortId))
        .toList();
  }
}
