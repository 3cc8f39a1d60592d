package dev.tracelet.distribution;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The process {@link HotLoadIT} drives, running on the distribution's {@code lib/}: it starts with
 * an empty plugins folder, waits for the local plugin to be dropped in, logs to it, and after the
 * JAR is removed reports whether the plugin was unloaded and its class loader collected. It talks
 * to the test in lines on stdin and stdout.
 */
public final class HotLoadChild {
  private HotLoadChild() {}

  public static void main(String[] args) throws Exception {
    Path plugins = Path.of(args[0]);
    Path work = Path.of(args[1]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (TraceletEngine engine =
        TraceletEngine.create(
            new SettingsSources(
                Map.of(),
                Map.of(
                    "tracelet.plugins_dir",
                    plugins.toString(),
                    "tracelet.track_system",
                    "false",
                    "tracelet.track_git",
                    "false",
                    "tracelet.journal_dir",
                    work.resolve("journal").toString()),
                work,
                null))) {
      say("READY " + engine.registry().names());
      await(() -> engine.registry().find("local").isPresent(), "the local plugin to load");
      WeakReference<ClassLoader> loader =
          new WeakReference<>(engine.registry().find("local").orElseThrow().loader());
      Experiment exp =
          engine.startExperiment(StartOptions.builder("hot").backends("local").build());
      for (int i = 0; i < 100; i++) {
        exp.logMetric("loss", 1.0 / (i + 1), i);
      }
      exp.flush();
      say("LOGGED " + exp.id());
      expect(in, "REMOVED");
      await(() -> engine.registry().find("local").isEmpty(), "the removed plugin to leave");
      say("UNREGISTERED " + engine.unloadingPlugins());
      // The running experiment keeps its session until it ends.
      for (int i = 100; i < 150; i++) {
        exp.logMetric("loss", 1.0 / (i + 1), i);
      }
      DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
      say("STOPPED " + report.backends().get(0).delivered());
      exp = null;
      await(() -> engine.unloadingPlugins().isEmpty(), "the plugin to unload");
      say("UNLOADED");
      await(
          () -> {
            System.gc();
            return loader.get() == null;
          },
          "the plugin's class loader to be collected");
      say("COLLECTED");
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void expect(BufferedReader in, String word) throws Exception {
    String line = in.readLine();
    if (!word.equals(line)) {
      throw new IllegalStateException("expected " + word + " on stdin, got " + line);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        say("TIMEOUT waiting for " + what);
        System.exit(3);
      }
      Thread.sleep(50);
    }
  }
}
