package dev.tracelet.core.plugin;

import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * Plugin-first class loading, except for the packages that must be one class in host and plugin:
 * the Tracelet API (a plugin's {@code BackendPlugin} must be the host's) and SLF4J (so plugin logs
 * use the host's binding). PF4J already sends {@code java.*} and {@code org.pf4j.*} to the parent.
 * Nothing else is shared, so a plugin's OkHttp or Jackson never meets the host's.
 */
final class TraceletPluginClassLoader extends PluginClassLoader {
  private static final String[] PARENT_FIRST = {"dev.tracelet.api.", "org.slf4j."};

  TraceletPluginClassLoader(
      PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
    super(manager, descriptor, parent, ClassLoadingStrategy.PDA);
  }

  @Override
  protected boolean shouldDelegateToParent(String className) {
    if (super.shouldDelegateToParent(className)) {
      return true;
    }
    for (String prefix : PARENT_FIRST) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
