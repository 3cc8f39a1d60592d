package dev.tracelet.core;

import dev.tracelet.core.settings.SettingsSources;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Engines for tests: isolated from the machine's environment, plugins from a given folder. */
public final class EngineFixture {
  private EngineFixture() {}

  public static TraceletEngine engine(
      Path workDir, Map<String, String> props, FakeBackend... backends) {
    Map<String, String> p = new HashMap<>(props);
    p.putIfAbsent("tracelet.plugins_dir", workDir.resolve("no-plugins").toString());
    p.putIfAbsent("tracelet.track_system", "false");
    p.putIfAbsent("tracelet.journal_dir", workDir.resolve("journal").toString());
    TraceletEngine engine = TraceletEngine.create(new SettingsSources(Map.of(), p, workDir, null));
    for (FakeBackend b : backends) {
      engine.registry().register(b.registered());
    }
    return engine;
  }
}
