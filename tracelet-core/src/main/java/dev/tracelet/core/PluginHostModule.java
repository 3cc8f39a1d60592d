package dev.tracelet.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.core.plugin.BackendRegistry;
import dev.tracelet.core.plugin.PluginHost;
import jakarta.inject.Singleton;

/**
 * Binds the live backend registry and the plugin host. The registry is one mutable singleton, not a
 * multibinding, because plugins come and go while the process runs. The host loads nothing until
 * the engine starts it.
 */
final class PluginHostModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(BackendRegistry.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  PluginHost pluginHost(BackendRegistry registry) {
    return new PluginHost(TraceletVersion.apiVersion(), registry);
  }
}
