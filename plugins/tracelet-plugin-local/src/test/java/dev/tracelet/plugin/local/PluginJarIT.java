package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.RunStore;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * The built plugin JAR, loaded by PF4J from a plugins folder in deployment mode as the host does:
 * its extension is found through the index, it runs in its own class loader, and after unloading
 * nothing of it stays reachable.
 */
class PluginJarIT {
  @TempDir Path temp;

  private static Path builtJar() throws Exception {
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(Path.of("target"), "tracelet-plugin-local-*.jar")) {
      for (Path jar : jars) {
        if (!jar.getFileName().toString().contains("original")) {
          return jar;
        }
      }
    }
    throw new AssertionError("no plugin JAR in target/; run the package phase first");
  }

  @Test
  void loadsLogsReadsAndUnloadsFromTheShadedJar() throws Exception {
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    Files.copy(builtJar(), plugins.resolve("tracelet-plugin-local.jar"));
    PluginManager pm = new JarPluginManager(plugins);
    pm.setSystemVersion("0.1.0");
    pm.loadPlugins();
    pm.startPlugins();
    assertThat(pm.getPlugin("tracelet-plugin-local").getPluginState())
        .isEqualTo(PluginState.STARTED);

    ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
    WeakReference<ClassLoader> loader = logThroughPlugin(pm, temp.resolve("store"), collected);

    assertThat(pm.unloadPlugin("tracelet-plugin-local")).isTrue();
    // Objects with cleaners (SQLite handles, the native library) go in a later GC cycle than the
    // one that finds them, so collect, run finalization and wait on the queue, a few rounds.
    boolean gone = false;
    for (int i = 0; i < 50 && !gone; i++) {
      System.gc();
      System.runFinalization();
      gone = collected.remove(100) != null;
    }
    assertThat(gone).as("plugin class loader collected after unload").isTrue();
  }

  /** Kept in its own frame so no local variable keeps a plugin object alive. */
  private static WeakReference<ClassLoader> logThroughPlugin(
      PluginManager pm, Path store, ReferenceQueue<ClassLoader> queue) {
    List<BackendPlugin> backends = pm.getExtensions(BackendPlugin.class, "tracelet-plugin-local");
    assertThat(backends).hasSize(1);
    BackendPlugin backend = backends.get(0);
    ClassLoader pluginLoader = backend.getClass().getClassLoader();
    assertThat(pluginLoader).isNotSameAs(PluginJarIT.class.getClassLoader());
    assertThat(backend.metadata().name()).isEqualTo("local");

    // Capture on: JGit and Jackson run inside the plugin too, and must not pin its loader.
    TestContext ctx =
        TestContext.of(store, "jar").withCapture(dev.tracelet.api.ExperimentConfig.defaults());
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(pluginLoader);
    try {
      BackendSession session = backend.open(ctx);
      session.log(EventBatch.ofMetrics(List.of(new MetricEvent("m", 1.5, 0, 1))));
      session.close(RunStatus.FINISHED);
      RunStore runs = backend.openStore(ctx).orElseThrow();
      assertThat(runs.getRun(ctx.runId()).orElseThrow().metrics()).containsEntry("m", 1.5);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
    return new WeakReference<>(pluginLoader, queue);
  }
}
