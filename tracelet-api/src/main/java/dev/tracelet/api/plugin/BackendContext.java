package dev.tracelet.api.plugin;

import dev.tracelet.api.ExperimentConfig;
import java.time.Instant;
import java.util.List;

/** What a backend session knows about the run it serves. */
public interface BackendContext extends PluginContext {
  /** Tracelet's run id: the same in every backend, stored as a tag where ids differ. */
  String runId();

  /** The experiment's (the run's) name. */
  String experimentName();

  /** The project: MLflow experiment, W&amp;B project, ClearML project, local experiment. */
  String project();

  List<String> tags();

  Instant startTime();

  /** What the run captures: git, environment, arguments, system metrics, … */
  ExperimentConfig experimentConfig();

  /** Whether this session continues a run that already exists (resume after a crash). */
  boolean resumed();
}
