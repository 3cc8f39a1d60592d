package dev.tracelet.core;

import com.google.inject.AbstractModule;
import dev.tracelet.core.collect.SystemMetricsCollector;
import jakarta.inject.Singleton;

/** Binds the built-in collectors, shared by every run of the process. */
final class CollectorModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(SystemMetricsCollector.class).in(Singleton.class);
  }
}
