package dev.tracelet.core;

import com.google.inject.AbstractModule;
import dev.tracelet.core.runtime.ExperimentLauncher;

/** Binds what starts experiments and their dispatchers. */
final class DispatchModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(ExperimentLauncher.class);
  }
}
