package dev.tracelet.testkit.recording;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactPaths;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The recording backend's read side, over the registry of {@link RecordingBackendPlugin}: enough
 * for the compatibility kit and for host tests that cannot reach the registry directly (the plugin
 * loaded from its JAR by PF4J).
 *
 * <p>Experiments are the runs' projects (id and name are both the project). Listings keep the order
 * runs were opened and accept only {@link Sort#none()}. The artifact names {@link #getRun(String)}
 * lists, and {@link #artifactPath(String, String)} takes, are {@code <artifact name>/<file's
 * artifact path>}. Results tables, deletion of experiments and the model registry are not supported
 * and say so.
 */
final class RecordingStore implements RunStore {
  private final Path scratchDir;

  RecordingStore(Path scratchDir) {
    this.scratchDir = scratchDir;
  }

  @Override
  public List<ExperimentInfo> listExperiments() {
    Map<String, Instant> firstStart = new LinkedHashMap<>();
    for (RecordedRun run : RecordingBackendPlugin.runs()) {
      firstStart.merge(run.project(), run.startTime(), (a, b) -> a.isBefore(b) ? a : b);
    }
    List<ExperimentInfo> experiments = new ArrayList<>();
    firstStart.forEach(
        (project, created) ->
            experiments.add(new ExperimentInfo(project, project, created, Map.of())));
    return List.copyOf(experiments);
  }

  @Override
  public Optional<ExperimentInfo> getExperiment(String idOrName) {
    return listExperiments().stream().filter(e -> e.id().equals(idOrName)).findFirst();
  }

  @Override
  public String getOrCreateExperiment(String name) {
    return getExperiment(name)
        .map(ExperimentInfo::id)
        .orElseThrow(
            () ->
                new UnsupportedOperationException(
                    "the recording store creates experiment '"
                        + name
                        + "' only when a run of that project opens"));
  }

  @Override
  public List<ExperimentSummary> experimentSummaries(Sort sort) {
    requireNone(sort);
    List<ExperimentSummary> summaries = new ArrayList<>();
    for (ExperimentInfo e : listExperiments()) {
      List<RecordedRun> runs = runsOf(e.id());
      @Nullable Instant last = null;
      for (RecordedRun r : runs) {
        if (last == null || r.startTime().isAfter(last)) {
          last = r.startTime();
        }
      }
      summaries.add(new ExperimentSummary(e.id(), e.name(), e.createdAt(), runs.size(), last));
    }
    return List.copyOf(summaries);
  }

  @Override
  public List<RunInfo> experimentRuns(String experimentIdOrName, Sort sort) {
    requireNone(sort);
    if (getExperiment(experimentIdOrName).isEmpty()) {
      throw new ExperimentNotFoundException(
          "The recording store has no experiment '"
              + experimentIdOrName
              + "'; experiments are the projects of recorded runs");
    }
    List<RunInfo> infos = new ArrayList<>();
    runsOf(experimentIdOrName).forEach(r -> infos.add(info(r)));
    return List.copyOf(infos);
  }

  @Override
  public Optional<RunDetails> getRun(String runId) {
    return RecordingBackendPlugin.recorded(runId).map(RecordingStore::details);
  }

  @Override
  public List<MetricPoint> metricHistory(String runId, String key) {
    List<MetricEvent> events = new ArrayList<>(requireRun(runId).metrics(key));
    // RunStore promises step order, then time order; the sort is stable, so delivery order
    // breaks the remaining ties.
    events.sort(
        Comparator.comparingLong(MetricEvent::step).thenComparingLong(MetricEvent::timestamp));
    List<MetricPoint> points = new ArrayList<>(events.size());
    events.forEach(m -> points.add(new MetricPoint(m.step(), m.timestamp(), m.value())));
    return List.copyOf(points);
  }

  @Override
  public ResultsTable loadResults(String experimentIdOrName, Sort sort) {
    throw unsupported("results tables");
  }

  @Override
  public void deleteExperiment(String idOrName) {
    throw unsupported("deleting experiments");
  }

  @Override
  public void deleteRun(String runId) {
    if (!RecordingBackendPlugin.forget(runId)) {
      throw notFound(runId);
    }
  }

  /**
   * Writes the recorded bytes of {@code artifactName} ({@code <artifact name>/<file path>}, the
   * latest version of that artifact) under the scratch directory and returns that file.
   */
  @Override
  public Path artifactPath(String runId, String artifactName) {
    RecordedRun run = requireRun(runId);
    ArtifactPaths.requireSafeRelative(artifactName, "artifact name");
    int slash = artifactName.indexOf('/');
    String name = slash < 0 ? artifactName : artifactName.substring(0, slash);
    String filePath = slash < 0 ? "" : artifactName.substring(slash + 1);
    RecordedArtifact artifact =
        run.artifact(name)
            .orElseThrow(
                () ->
                    new ArtifactNotFoundException(
                        "Run " + runId + " recorded no artifact called '" + name + "'"));
    byte[] bytes =
        artifact
            .fileBytes(filePath)
            .orElseThrow(
                () ->
                    new ArtifactNotFoundException(
                        "Artifact '"
                            + name
                            + "' of run "
                            + runId
                            + " has no file '"
                            + filePath
                            + "'; its files are "
                            + artifact.filePaths()
                            + " (ask for '<artifact name>/<file path>')"));
    Path target =
        scratchDir
            .resolve("recording-artifacts")
            .resolve(runId)
            .resolve(artifact.version())
            .resolve(artifactName);
    try {
      Files.createDirectories(target.getParent());
      Files.write(target, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  @Override
  public ModelRegistry registry() {
    throw unsupported("the model registry");
  }

  private static RunDetails details(RecordedRun run) {
    Map<String, String> params = new LinkedHashMap<>();
    run.params().forEach((k, v) -> params.put(k, new ParamEvent(k, v).valueAsString()));
    Map<String, Double> latest = new LinkedHashMap<>();
    run.metrics().forEach(m -> latest.put(m.name(), m.value()));
    Set<String> artifacts = new LinkedHashSet<>();
    for (RecordedArtifact a : run.artifacts()) {
      a.filePaths().forEach(p -> artifacts.add(a.name() + "/" + p));
    }
    return new RunDetails(info(run), params, latest, run.tags(), List.copyOf(artifacts));
  }

  private static RunInfo info(RecordedRun run) {
    return new RunInfo(
        run.runId(),
        run.project(),
        run.experimentName(),
        run.status().orElse(RunStatus.RUNNING),
        run.startTime(),
        run.endTime().orElse(null));
  }

  private static List<RecordedRun> runsOf(String project) {
    List<RecordedRun> runs = new ArrayList<>();
    for (RecordedRun r : RecordingBackendPlugin.runs()) {
      if (r.project().equals(project)) {
        runs.add(r);
      }
    }
    return runs;
  }

  private static RecordedRun requireRun(String runId) {
    return RecordingBackendPlugin.recorded(runId).orElseThrow(() -> notFound(runId));
  }

  private static RunNotFoundException notFound(String runId) {
    return new RunNotFoundException(
        "The recording backend has no run "
            + runId
            + "; it only knows runs opened in this class loader since the last reset()");
  }

  private static void requireNone(Sort sort) {
    if (!sort.isNone()) {
      throw new UnsupportedOperationException(
          "the recording store lists in the order runs were opened; pass Sort.none(), not " + sort);
    }
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        "the recording backend keeps runs in memory for tests and does not support " + what);
  }
}
