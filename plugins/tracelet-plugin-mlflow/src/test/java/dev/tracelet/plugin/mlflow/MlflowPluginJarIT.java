package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin JAR in a class loader of its own, as PF4J loads it (only the API and PF4J
 * come from the parent): it logs to the strict stub, and once its session is closed and the loader
 * dropped, the loader is garbage-collected — no OkHttp, Okio or dispatcher thread keeps it alive.
 *
 * <p>Okio's timeout watchdog, which the plugin cannot stop, ends after 60 idle seconds; an OkHttp
 * socket timeout may still be pending when the client closes, which delays that by up to the read
 * timeout. With a 5 s request timeout the loader must therefore go within about 65 s.
 */
class MlflowPluginJarIT {
  @TempDir Path scratch;
  private StrictMlflowStub stub;

  @BeforeEach
  void start() {
    stub = new StrictMlflowStub();
  }

  @AfterEach
  void stop() {
    stub.shutdown();
  }

  @Test
  void thePluginJarWorksAloneAndItsLoaderIsCollectedAfterClose() throws Exception {
    Path jar =
        Path.of(
            System.getProperty("plugin.jar", "target/tracelet-plugin-mlflow-0.1.0-SNAPSHOT.jar"));
    assertThat(jar).exists();
    WeakReference<ClassLoader> ref = runInIsolatedLoader(jar);
    assertThat(stub.runs.values().iterator().next().metrics).hasSize(1_500);
    assertThat(stub.runs.values().iterator().next().status).isEqualTo("FINISHED");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (ref.get() != null) {
      assertThat(System.nanoTime())
          .as("the plugin's class loader is still reachable; threads: %s", pluginThreads())
          .isLessThan(deadline);
      System.gc();
      Thread.sleep(250); // polling with a deadline: collection has no event to wait on
    }
  }

  private WeakReference<ClassLoader> runInIsolatedLoader(Path jar) throws Exception {
    ClassLoader app = getClass().getClassLoader();
    ClassLoader apiOnly =
        new ClassLoader(ClassLoader.getPlatformClassLoader()) {
          @Override
          protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("dev.tracelet.api.")
                || name.startsWith("org.pf4j.")
                || name.startsWith("org.jspecify.")) {
              return app.loadClass(name);
            }
            return super.loadClass(name, resolve);
          }
        };
    URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, apiOnly);
    Thread current = Thread.currentThread();
    ClassLoader saved = current.getContextClassLoader();
    current.setContextClassLoader(loader); // as the host does around every plugin call
    try {
      Class<?> type = loader.loadClass("dev.tracelet.plugin.mlflow.MlflowBackendPlugin");
      assertThat(type.getClassLoader()).isSameAs(loader);
      assertThat(
              new String(
                  loader.getResourceAsStream("META-INF/extensions.idx").readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8))
          .contains(type.getName());
      BackendPlugin plugin = (BackendPlugin) type.getConstructor().newInstance();
      BackendSession session =
          plugin.open(
              TestContext.of(stub.uri(), "jar", scratch)
                  .withConfig(java.util.Map.of("request_timeout", "5")));
      for (int i = 0; i < 3; i++) {
        session.log(EventBatch.ofMetrics(metrics(i * 500, 500)));
      }
      session.close(RunStatus.FINISHED);
    } finally {
      current.setContextClassLoader(saved);
    }
    loader.close();
    return new WeakReference<>(loader);
  }

  private static List<MetricEvent> metrics(int from, int n) {
    return java.util.stream.IntStream.range(from, from + n)
        .mapToObj(i -> new MetricEvent("loss", i, i, 1_700_000_000_000L + i))
        .toList();
  }

  private static List<String> pluginThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.getName().contains("OkHttp")
                    || t.getName().contains("Okio")
                    || t.getName().contains("tracelet"))
        .map(
            t ->
                t.getName()
                    + " ("
                    + t.getClass().getName()
                    + ", context loader "
                    + t.getContextClassLoader()
                    + ") at "
                    + java.util.Arrays.toString(t.getStackTrace()))
        .toList();
  }
}
