package dev.tracelet.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.tracelet.core.settings.SettingsLoader;
import dev.tracelet.core.settings.SettingsSources;
import jakarta.inject.Singleton;

/** Binds where settings come from and the loader that reads them. No I/O happens here. */
final class SettingsModule extends AbstractModule {
  private final SettingsSources sources;

  SettingsModule(SettingsSources sources) {
    this.sources = sources;
  }

  @Override
  protected void configure() {
    bind(SettingsSources.class).toInstance(sources);
  }

  @Provides
  @Singleton
  SettingsLoader settingsLoader(SettingsSources sources) {
    return new SettingsLoader(sources);
  }
}
