package dev.tracelet.api.plugin;

/** What a plugin contributes. */
public enum PluginType {
  /** Receives a run's metrics, parameters, tags and artifacts. */
  BACKEND,
  /** Hooks a training framework and logs through the API. */
  FRAMEWORK,
  /** Samples figures (system, GPU, …) into a run. */
  COLLECTOR
}
