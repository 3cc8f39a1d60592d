package dev.tracelet.plugin.local;

import org.pf4j.Plugin;

/**
 * The PF4J plugin class ({@code Plugin-Class}): when the host stops or unloads the plugin, every
 * store it opened is closed and JGit's threads and cleanup hooks are released, so nothing keeps the
 * plugin's class loader alive.
 */
public final class LocalPlugin extends Plugin {
  /** For PF4J. */
  public LocalPlugin() {}

  @Override
  public void stop() {
    OpenStores.closeAll();
    JGitLifecycle.shutdown();
  }
}
