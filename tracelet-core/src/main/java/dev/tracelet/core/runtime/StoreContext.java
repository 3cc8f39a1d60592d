package dev.tracelet.core.runtime;

import dev.tracelet.api.plugin.PluginContext;
import java.nio.file.Path;
import java.util.Map;

/** What a backend's read side is given. */
record StoreContext(
    Map<String, String> config, System.Logger logger, Path scratchDir, String hostVersion)
    implements PluginContext {
  StoreContext {
    config = Map.copyOf(config);
  }

  @Override
  public String toString() {
    return "StoreContext{config keys=" + new java.util.TreeSet<>(config.keySet()) + '}';
  }
}
