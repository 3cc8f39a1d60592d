package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static dev.tracelet.plugin.wandb.StubSupport.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.RuntimeMode;

/**
 * The packaged plugin JAR, loaded by PF4J in deployment mode as the host loads it, runs a whole
 * session against the stub: its extension index names the backend, its relocated OkHttp and Jackson
 * work from the plugin's own class loader, and it unloads cleanly.
 */
class WandbPluginJarIT {
  @TempDir Path tmp;

  @Test
  void thePluginJarLoadsAndDeliversARun() throws Exception {
    Path jar = Path.of(System.getProperty("wandb.plugin.jar", "target/missing.jar"));
    assertThat(jar).as("the plugin JAR built by package").isRegularFile();
    Path plugins = Files.createDirectories(tmp.resolve("plugins"));
    Files.copy(jar, plugins.resolve(jar.getFileName()));

    PluginManager host =
        new DefaultPluginManager(plugins) {
          @Override
          public RuntimeMode getRuntimeMode() {
            return RuntimeMode.DEPLOYMENT;
          }
        };
    host.setSystemVersion("0.1.0");
    host.loadPlugins();
    host.startPlugins();
    try (WandbStubServer stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0)) {
      assertThat(host.getPlugin("tracelet-plugin-wandb").getPluginState())
          .isEqualTo(PluginState.STARTED);
      List<BackendPlugin> backends =
          host.getExtensions(BackendPlugin.class, "tracelet-plugin-wandb");
      assertThat(backends).hasSize(1);
      BackendPlugin backend = backends.get(0);
      ClassLoader pluginLoader = backend.getClass().getClassLoader();
      assertThat(pluginLoader).isNotSameAs(getClass().getClassLoader());
      assertThat(pluginLoader.loadClass("dev.tracelet.plugin.wandb.shaded.okhttp3.OkHttpClient"))
          .isNotNull();

      TestBackendContext ctx = StubSupport.context(tmp, StubSupport.config(stub)).build();
      Thread thread = Thread.currentThread();
      ClassLoader saved = thread.getContextClassLoader();
      thread.setContextClassLoader(pluginLoader); // as the host does around every plugin call
      try {
        BackendSession session = backend.open(ctx);
        session.log(metrics(metric("loss", 0.5, 0), metric("loss", Double.NaN, 1)));
        Path f = Files.writeString(tmp.resolve("f.txt"), "plugin jar", StandardCharsets.UTF_8);
        session.logArtifact(
            new TraceletArtifact("jar-test", ArtifactType.CUSTOM, null).addFile(f, null, null));
        session.close(RunStatus.FINISHED);
      } finally {
        thread.setContextClassLoader(saved);
      }

      StubRun run = StubSupport.run(stub, ctx.runId());
      assertThat(run.steps()).containsExactly(0L, 1L);
      assertThat(run.historyLines().get(1)).contains("\"loss\":NaN");
      assertThat(run.artifact("jar-test")).isPresent();
      assertThat(run.exitCode()).contains(0);
      assertThat(stub.rejections()).isEmpty();
    } finally {
      // One by one (unloading stops each plugin first): PF4J 3.15's stopPlugins() threw
      // ConcurrentModificationException here.
      for (var plugin : List.copyOf(host.getPlugins())) {
        host.unloadPlugin(plugin.getPluginId());
      }
    }
    assertThat(host.getPlugins()).isEmpty();
  }
}
