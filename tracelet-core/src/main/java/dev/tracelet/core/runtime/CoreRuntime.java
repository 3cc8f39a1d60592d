package dev.tracelet.core.runtime;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletRuntime;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.TraceletEngine;
import java.util.Optional;

/**
 * What {@code Tracelet}'s static methods reach through {@link java.util.ServiceLoader}: one {@link
 * TraceletEngine} per process, created on first use (so loading classes costs nothing and a
 * settings error surfaces at the first call, with its message).
 */
public final class CoreRuntime implements TraceletRuntime {
  private volatile TraceletEngine engine;

  /** For {@link java.util.ServiceLoader}; does no work. */
  public CoreRuntime() {}

  private TraceletEngine engine() {
    TraceletEngine e = engine;
    if (e == null) {
      synchronized (this) {
        e = engine;
        if (e == null) {
          e = TraceletEngine.create();
          engine = e;
        }
      }
    }
    return e;
  }

  @Override
  public Experiment startExperiment(StartOptions options) {
    return engine().startExperiment(options);
  }

  @Override
  public void stopActiveExperiment() {
    engine().stopActiveExperiment();
  }

  @Override
  public Optional<Experiment> activeExperiment() {
    return engine().activeExperiment();
  }

  @Override
  public RunStore store(String backend) {
    return engine().store(backend);
  }

  @Override
  public TraceletSettings settings() {
    return engine().settings();
  }
}
