package dev.tracelet.core.plugin;

import java.nio.file.Path;
import java.util.List;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginRepository;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.RuntimeMode;

/**
 * PF4J configured for Tracelet: deployment mode only (development mode reads module folders, so
 * packaging mistakes would go unseen), one JAR per plugin, {@code Plugin-Requires} checked against
 * the host's API version, and {@link TraceletPluginClassLoader} for every plugin.
 *
 * <p>Not thread-safe, like every PF4J manager: {@link PluginHost} makes every call under its lock.
 */
final class TraceletPluginManager extends DefaultPluginManager {
  TraceletPluginManager(List<Path> roots, String systemVersion) {
    super(roots);
    setSystemVersion(systemVersion);
  }

  @Override
  public RuntimeMode getRuntimeMode() {
    return RuntimeMode.DEPLOYMENT;
  }

  @Override
  protected PluginRepository createPluginRepository() {
    return new JarPluginRepository(getPluginsRoots());
  }

  @Override
  protected PluginLoader createPluginLoader() {
    return new JarPluginLoader(this) {
      @Override
      protected PluginClassLoader createPluginClassLoader(
          Path pluginPath, PluginDescriptor pluginDescriptor) {
        return new TraceletPluginClassLoader(
            pluginManager, pluginDescriptor, getClass().getClassLoader());
      }
    };
  }
}
