package dev.tracelet.plugin.mlflow;

import org.pf4j.Plugin;

/**
 * The PF4J plugin class: when the host stops or unloads the plugin, the HTTP clients of read-side
 * stores are closed, so no thread keeps the plugin's class loader alive.
 */
public final class MlflowPlugin extends Plugin {
  public MlflowPlugin() {}

  @Override
  public void stop() {
    MlflowBackendPlugin.closeStores();
  }
}
