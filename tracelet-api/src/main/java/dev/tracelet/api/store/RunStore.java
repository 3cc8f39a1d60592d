package dev.tracelet.api.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A backend's read side, the same for every backend that can answer: experiments contain runs; runs
 * have parameters, metric histories, tags and artifacts. Get one with {@code
 * Tracelet.store("local")}.
 *
 * <p>Sorting fields are RuneLog's column names (see {@link Sort}); an unknown field throws {@link
 * IllegalArgumentException} listing the valid ones. Lookups by id and by name are kept apart: an
 * {@code idOrName} matches an id first only when it has the form of an id. Missing things throw the
 * matching {@code *NotFoundException}, never return null. Thread-safe.
 */
public interface RunStore {
  List<ExperimentInfo> listExperiments();

  Optional<ExperimentInfo> getExperiment(String idOrName);

  /** The id of the experiment called {@code name}, created if needed; safe against racers. */
  String getOrCreateExperiment(String name);

  /** Fields: experiment_id, name, created_at, num_runs, last_run. */
  List<ExperimentSummary> experimentSummaries(Sort sort);

  /**
   * Fields: run_id, name, status, start_time, end_time, duration, param.&lt;key&gt;,
   * metric.&lt;key&gt;.
   */
  List<RunInfo> experimentRuns(String experimentIdOrName, Sort sort);

  Optional<RunDetails> getRun(String runId);

  /** Every point of one metric of a run, in step order then time order. */
  List<MetricPoint> metricHistory(String runId, String key);

  /** One row per run of the experiment, sortable like {@link #experimentRuns}. */
  ResultsTable loadResults(String experimentIdOrName, Sort sort);

  /** Deletes an experiment and its runs (soft delete where the backend supports it). */
  void deleteExperiment(String idOrName);

  void deleteRun(String runId);

  /**
   * A local path to an artifact of a run, downloaded first if the store is remote. {@code
   * artifactName} is an artifact's name (the path is then its folder, or its file when it holds
   * exactly one) or {@code <artifact name>/<path inside it>} for one file.
   *
   * @throws dev.tracelet.api.ArtifactNotFoundException if the run has no such artifact or file
   */
  Path artifactPath(String runId, String artifactName);

  ModelRegistry registry();

  /** Brings back a soft-deleted run. */
  default void restoreRun(String runId) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore runs");
  }

  /** Removes soft-deleted runs and experiments for good; returns how many runs went. */
  default int purgeDeleted() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot purge");
  }

  /** Sets one tag of any run, open or ended. */
  default void setRunTag(String runId, String key, String value) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot set run tags");
  }

  /** Removes one tag of a run; removing an absent tag does nothing. */
  default void deleteRunTag(String runId, String key) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete run tags");
  }

  /** Removes one tag of an experiment; removing an absent tag does nothing. */
  default void deleteExperimentTag(String experimentIdOrName, String key) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot delete experiment tags");
  }

  /** Sets one tag of an experiment. */
  default void setExperimentTag(String experimentIdOrName, String key, String value) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot set experiment tags");
  }
}
