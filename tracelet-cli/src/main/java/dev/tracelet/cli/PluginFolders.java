package dev.tracelet.cli;

import dev.tracelet.api.TraceletVersion;
import dev.tracelet.core.plugin.PluginHost;
import dev.tracelet.core.settings.SettingsLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The plugin folders and allow-list as the host would find them, read from the settings without
 * starting an engine: the {@code verify}, {@code install}, {@code enable} and {@code disable}
 * commands look at JAR files, and must work even when a plugin in the folder is broken.
 */
final class PluginFolders {
  private final SettingsLoader settings;

  PluginFolders(CliContext context) {
    this.settings = new SettingsLoader(context.sources());
  }

  /** The folders searched, in order; the first is where install and enable/disable write. */
  List<Path> roots() {
    return settings.pluginRoots();
  }

  Path first() {
    return roots().get(0);
  }

  /** Every JAR in the folders, as the host would load them. */
  List<Path> jars() {
    return PluginHost.jarsIn(roots());
  }

  /** {@code plugins_allowed_sha256}; a malformed value fails with the settings' message. */
  Set<String> allowList() {
    return settings.pluginAllowList();
  }

  /** Checks JARs as the host would: against this Tracelet's version and the allow-list. */
  PluginJarInspector inspector() {
    return new PluginJarInspector(TraceletVersion.apiVersion(), allowList());
  }
}
