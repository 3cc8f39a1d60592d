package dev.tracelet.plugin.local;

import org.pf4j.Plugin;

/**
 * The PF4J plugin class ({@code Plugin-Class}): when the host stops or unloads the plugin, every
 * store it opened is closed, so no SQLite handle keeps the plugin's class loader alive.
 */
public final class LocalPlugin extends Plugin {
  /** For PF4J. */
  public LocalPlugin() {}

  @Override
  public void stop() {
    OpenStores.closeAll();
  }
}
