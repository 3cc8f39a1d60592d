package dev.tracelet.api;

import dev.tracelet.api.store.RunStore;
import java.util.Optional;

/**
 * What {@link Tracelet} delegates to. Implemented by {@code tracelet-core} and found with {@link
 * java.util.ServiceLoader}; application code uses {@link Tracelet} instead.
 */
public interface TraceletRuntime {
  /** Starts an experiment (stopping the active one first) and makes it the active one. */
  Experiment startExperiment(StartOptions options);

  /** Ends the active experiment {@link RunStatus#FINISHED}, if there is one. */
  void stopActiveExperiment();

  Optional<Experiment> activeExperiment();

  /** The read side of a backend; throws {@link ConfigurationException} if it has none. */
  RunStore store(String backend);

  TraceletSettings settings();
}
