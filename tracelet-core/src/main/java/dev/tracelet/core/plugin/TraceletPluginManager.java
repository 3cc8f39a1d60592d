package dev.tracelet.core.plugin;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginRepository;
import org.pf4j.Plugin;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginWrapper;
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
  protected PluginFactory createPluginFactory() {
    return new ExplainingPluginFactory();
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

  /** A plugin's {@code Plugin-Class} could not be created; the message says why and what to do. */
  static final class PluginClassException extends PluginRuntimeException {
    private static final long serialVersionUID = 1L;

    PluginClassException(String pluginClass, String why, Throwable cause) {
      super(
          cause,
          "Plugin-Class {} could not be created: {}; fix the plugin or remove its JAR",
          pluginClass,
          why);
    }
  }

  /**
   * PF4J's factory, except that a plugin class that cannot be created fails with the reason (PF4J's
   * own logs it and returns null, which later surfaces as a bare NullPointerException).
   */
  private static final class ExplainingPluginFactory extends DefaultPluginFactory {
    @Override
    public Plugin create(PluginWrapper wrapper) {
      Plugin plugin = super.create(wrapper);
      if (plugin == null) {
        throw new PluginClassException(
            wrapper.getDescriptor().getPluginClass(),
            "it cannot be loaded, or is not a public, concrete subclass of org.pf4j.Plugin",
            null);
      }
      return plugin;
    }

    @Override
    protected Plugin createInstance(Class<?> pluginClass, PluginWrapper wrapper) {
      try {
        try {
          return (Plugin) pluginClass.getConstructor(PluginWrapper.class).newInstance(wrapper);
        } catch (NoSuchMethodException e) {
          return (Plugin) pluginClass.getConstructor().newInstance();
        }
      } catch (InvocationTargetException e) {
        throw new PluginClassException(
            pluginClass.getName(), "its constructor threw " + e.getCause(), e.getCause());
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        throw new PluginClassException(
            pluginClass.getName(), e + " (it needs a public no-argument constructor)", e);
      }
    }
  }
}
