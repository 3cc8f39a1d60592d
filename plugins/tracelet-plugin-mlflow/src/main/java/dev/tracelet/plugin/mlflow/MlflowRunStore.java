package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactPaths;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The read side over MLflow's REST API. Run ids are MLflow's; Tracelet's own run id (the {@code
 * tracelet.run_id} tag) is accepted too wherever a run id is asked for. Infinities logged to an
 * SQL-backed server read back as ±{@link Double#MAX_VALUE}, since that is what such a server
 * stores. Thread-safe.
 */
final class MlflowRunStore implements RunStore {
  static final String MANIFEST = "tracelet-artifact.json";

  private final MlflowTracking tracking;
  private final MlflowArtifacts artifacts;
  private final MlflowModelRegistry registry;
  private final Path scratch;
  private final Map<String, String> traceletToMlflow = new ConcurrentHashMap<>();

  MlflowRunStore(MlflowTracking tracking, MlflowConfig config, Path scratch, System.Logger logger) {
    this.tracking = tracking;
    this.artifacts = new MlflowArtifacts(tracking.api(), logger);
    this.scratch = scratch;
    this.registry = new MlflowModelRegistry(this, tracking, artifacts, config, scratch);
  }

  @Override
  public List<ExperimentInfo> listExperiments() {
    List<ExperimentInfo> out = new ArrayList<>();
    for (ObjectNode e : tracking.searchExperiments("ACTIVE_ONLY")) {
      out.add(experimentInfo(e));
    }
    return out;
  }

  @Override
  public Optional<ExperimentInfo> getExperiment(String idOrName) {
    return experimentNode(idOrName).map(MlflowRunStore::experimentInfo);
  }

  private Optional<ObjectNode> experimentNode(String idOrName) {
    if (idOrName.matches("\\d+")) {
      Optional<ObjectNode> byId = tracking.experimentById(idOrName);
      if (byId.isPresent()) {
        return byId;
      }
    }
    return tracking.experimentByName(idOrName);
  }

  private String experimentId(String idOrName) {
    return experimentNode(idOrName)
        .filter(e -> !"deleted".equals(e.path("lifecycle_stage").asText()))
        .map(e -> e.path("experiment_id").asText())
        .orElseThrow(
            () ->
                new ExperimentNotFoundException(
                    "No MLflow experiment has the id or name '"
                        + idOrName
                        + "'; list them with Tracelet.store(\"mlflow\").listExperiments()"));
  }

  private static ExperimentInfo experimentInfo(JsonNode e) {
    return new ExperimentInfo(
        e.path("experiment_id").asText(),
        e.path("name").asText(),
        Instant.ofEpochMilli(JsonCodec.readLong(e.path("creation_time"))),
        MlflowTracking.keyValues(e.path("tags")));
  }

  @Override
  public String getOrCreateExperiment(String name) {
    return tracking.getOrCreateExperiment(name);
  }

  @Override
  public List<ExperimentSummary> experimentSummaries(Sort sort) {
    sort.requireValid(Sort.SUMMARY_FIELDS);
    List<ExperimentSummary> out = new ArrayList<>();
    for (ExperimentInfo e : listExperiments()) {
      List<ObjectNode> runs = tracking.searchRuns(List.of(e.id()), null, "ACTIVE_ONLY");
      Instant last = null;
      for (ObjectNode r : runs) {
        Instant start = Instant.ofEpochMilli(JsonCodec.readLong(r.path("info").path("start_time")));
        last = last == null || start.isAfter(last) ? start : last;
      }
      out.add(new ExperimentSummary(e.id(), e.name(), e.createdAt(), runs.size(), last));
    }
    Map<String, Function<ExperimentSummary, Comparable<?>>> keys = new LinkedHashMap<>();
    keys.put("experiment_id", s -> numericOrText(s.experimentId()));
    keys.put("name", ExperimentSummary::name);
    keys.put("created_at", ExperimentSummary::createdAt);
    keys.put("num_runs", ExperimentSummary::numRuns);
    keys.put("last_run", ExperimentSummary::lastRun);
    return sorted(out, sort, keys::get);
  }

  @Override
  public List<RunInfo> experimentRuns(String experimentIdOrName, Sort sort) {
    sort.requireValid(Sort.RUN_FIELDS);
    List<ObjectNode> runs =
        tracking.searchRuns(List.of(experimentId(experimentIdOrName)), null, "ACTIVE_ONLY");
    List<ObjectNode> ordered = sorted(runs, sort, field -> runKey(field));
    List<RunInfo> out = new ArrayList<>();
    ordered.forEach(r -> out.add(runInfo(r.path("info"))));
    return out;
  }

  @Override
  public Optional<RunDetails> getRun(String runId) {
    Optional<ObjectNode> run = findRun(runId);
    if (run.isEmpty()) {
      return Optional.empty();
    }
    JsonNode r = run.get();
    String id = r.path("info").path("run_id").asText();
    List<String> files = new ArrayList<>(artifacts.list(id, "").keySet());
    return Optional.of(
        new RunDetails(
            runInfo(r.path("info")),
            MlflowTracking.keyValues(r.path("data").path("params")),
            MlflowTracking.latestMetrics(r.path("data").path("metrics")),
            MlflowTracking.keyValues(r.path("data").path("tags")),
            files));
  }

  /** The run with this MLflow id, or with this Tracelet id in its {@code tracelet.run_id} tag. */
  Optional<ObjectNode> findRun(String runId) {
    if (runId.isBlank() || !runId.matches("[\\w\\-]{1,256}")) {
      return Optional.empty();
    }
    String known = traceletToMlflow.get(runId);
    Optional<ObjectNode> run = tracking.getRun(known != null ? known : runId);
    if (run.isPresent()) {
      return run;
    }
    List<String> ids = new ArrayList<>();
    tracking
        .searchExperiments("ACTIVE_ONLY")
        .forEach(e -> ids.add(e.path("experiment_id").asText()));
    // runs/search takes a bounded number of experiment ids per call.
    for (int i = 0; i < ids.size(); i += 100) {
      Optional<ObjectNode> found =
          tracking.findByTraceletRunId(ids.subList(i, Math.min(ids.size(), i + 100)), runId);
      if (found.isPresent()) {
        traceletToMlflow.put(runId, found.get().path("info").path("run_id").asText());
        return found;
      }
    }
    return Optional.empty();
  }

  String requireMlflowRunId(String runId) {
    return findRun(runId)
        .map(r -> r.path("info").path("run_id").asText())
        .orElseThrow(() -> runNotFound(runId));
  }

  private static RunNotFoundException runNotFound(String runId) {
    return new RunNotFoundException(
        "No MLflow run has the id '"
            + runId
            + "' (as MLflow run id or tracelet.run_id tag); list runs with"
            + " experimentRuns(experiment, Sort.none())");
  }

  @Override
  public List<MetricPoint> metricHistory(String runId, String key) {
    String id = requireMlflowRunId(runId);
    List<MetricPoint> out = new ArrayList<>();
    for (JsonNode m : tracking.metricHistory(id, key)) {
      out.add(
          new MetricPoint(
              JsonCodec.readLong(m.path("step")),
              JsonCodec.readLong(m.path("timestamp")),
              JsonCodec.readDouble(m.path("value"))));
    }
    out.sort(Comparator.comparingLong(MetricPoint::step).thenComparingLong(MetricPoint::timestamp));
    return out;
  }

  @Override
  public ResultsTable loadResults(String experimentIdOrName, Sort sort) {
    sort.requireValid(Sort.RUN_FIELDS);
    List<ObjectNode> runs =
        sorted(
            tracking.searchRuns(List.of(experimentId(experimentIdOrName)), null, "ACTIVE_ONLY"),
            sort,
            field -> runKey(field));
    TreeSet<String> params = new TreeSet<>();
    TreeSet<String> metrics = new TreeSet<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ObjectNode r : runs) {
      RunInfo info = runInfo(r.path("info"));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("run_id", info.runId());
      row.put("name", info.name());
      row.put("status", info.status().name());
      row.put("start_time", info.startTime().toString());
      if (info.endTime() != null) {
        row.put("end_time", info.endTime().toString());
        row.put("duration", info.duration().toMillis() / 1000.0);
      }
      MlflowTracking.keyValues(r.path("data").path("params"))
          .forEach(
              (k, v) -> {
                params.add("param." + k);
                row.put("param." + k, v);
              });
      MlflowTracking.latestMetrics(r.path("data").path("metrics"))
          .forEach(
              (k, v) -> {
                metrics.add("metric." + k);
                row.put("metric." + k, v);
              });
      rows.add(row);
    }
    List<String> columns =
        new ArrayList<>(List.of("run_id", "name", "status", "start_time", "end_time", "duration"));
    columns.addAll(params);
    columns.addAll(metrics);
    return new ResultsTable(columns, rows);
  }

  @Override
  public void deleteExperiment(String idOrName) {
    tracking
        .api()
        .post(
            "experiments/delete",
            tracking.api().json().newObject().put("experiment_id", experimentId(idOrName)));
  }

  @Override
  public void deleteRun(String runId) {
    tracking
        .api()
        .post(
            "runs/delete",
            tracking.api().json().newObject().put("run_id", requireMlflowRunId(runId)));
  }

  @Override
  public void restoreRun(String runId) {
    try {
      tracking.api().post("runs/restore", tracking.api().json().newObject().put("run_id", runId));
    } catch (MlflowApiException e) {
      if (e.status() == 404) {
        throw runNotFound(runId);
      }
      throw e;
    }
  }

  @Override
  public void setRunTag(String runId, String key, String value) {
    MlflowNames.keyProblem("tag", key)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    tracking.setTag(
        requireMlflowRunId(runId),
        key,
        MlflowNames.truncate(value, MlflowNames.MAX_TAG_VALUE_LENGTH));
  }

  @Override
  public void deleteRunTag(String runId, String key) {
    try {
      tracking
          .api()
          .post(
              "runs/delete-tag",
              tracking
                  .api()
                  .json()
                  .newObject()
                  .put("run_id", requireMlflowRunId(runId))
                  .put("key", key));
    } catch (MlflowApiException e) {
      if (e.status() != 404 && !e.is("RESOURCE_DOES_NOT_EXIST")) {
        throw e;
      }
    }
  }

  @Override
  public void setExperimentTag(String experimentIdOrName, String key, String value) {
    MlflowNames.keyProblem("experiment tag", key)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    tracking
        .api()
        .post(
            "experiments/set-experiment-tag",
            tracking
                .api()
                .json()
                .newObject()
                .put("experiment_id", experimentId(experimentIdOrName))
                .put("key", key)
                .put("value", MlflowNames.truncate(value, MlflowNames.MAX_TAG_VALUE_LENGTH)));
  }

  @Override
  public Path artifactPath(String runId, String artifactName) {
    ArtifactPaths.requireSafeRelative(artifactName, "artifactName");
    ObjectNode run = findRun(runId).orElseThrow(() -> runNotFound(runId));
    String id = run.path("info").path("run_id").asText();
    Path target = scratch.resolve("mlflow-artifacts").resolve(id).resolve(artifactName);
    Path got =
        artifacts.download(
            id, run.path("info").path("artifact_uri").asText(), artifactName, target);
    if (got == null) {
      throw new ArtifactNotFoundException(
          "MLflow run "
              + id
              + " has no artifact '"
              + artifactName
              + "'; getRun(runId).artifacts() lists them");
    }
    return got;
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  /** The artifacts a run logged through Tracelet, read back from their manifests. */
  List<TraceletArtifact> manifests(String runId, @Nullable ArtifactType type) {
    List<TraceletArtifact> out = new ArrayList<>();
    ObjectNode run = findRun(runId).orElseThrow(() -> runNotFound(runId));
    String id = run.path("info").path("run_id").asText();
    for (String path : artifacts.list(id, "").keySet()) {
      if (!path.endsWith("/" + MANIFEST)) {
        continue;
      }
      Path local = scratch.resolve("mlflow-artifacts").resolve(id).resolve(path);
      artifacts.download(id, run.path("info").path("artifact_uri").asText(), path, local);
      try {
        JsonNode m = tracking.api().json().read(Files.readAllBytes(local));
        ArtifactType t = ArtifactType.fromValue(m.path("type").asText("custom"));
        if (type != null && t != type) {
          continue;
        }
        TraceletArtifact a =
            new TraceletArtifact(
                m.path("name").asText(),
                t,
                m.path("description").asText(null),
                Instant.parse(m.path("created_at").asText(Instant.EPOCH.toString())));
        m.path("metadata")
            .fields()
            .forEachRemaining(f -> a.putMetadata(f.getKey(), f.getValue().asText()));
        a.putMetadata(
            "mlflow_uri", run.path("info").path("artifact_uri").asText() + "/" + a.name());
        out.add(a);
      } catch (IOException | RuntimeException e) {
        // a manifest that is not ours (or damaged) is skipped; the files stay listable
      }
    }
    return out;
  }

  static RunInfo runInfo(JsonNode info) {
    long end = JsonCodec.readLong(info.path("end_time"));
    String name = info.path("run_name").asText("");
    return new RunInfo(
        info.path("run_id").asText(),
        info.path("experiment_id").asText(),
        name,
        status(info.path("status").asText("RUNNING")),
        Instant.ofEpochMilli(JsonCodec.readLong(info.path("start_time"))),
        end > 0 ? Instant.ofEpochMilli(end) : null);
  }

  private static RunStatus status(String s) {
    return switch (s) {
      case "FINISHED" -> RunStatus.FINISHED;
      case "FAILED" -> RunStatus.FAILED;
      case "KILLED" -> RunStatus.KILLED;
      default -> RunStatus.RUNNING; // RUNNING and SCHEDULED
    };
  }

  private static Function<ObjectNode, Comparable<?>> runKey(String field) {
    if (field.startsWith("param.")) {
      String k = field.substring(6);
      return r -> {
        String v = MlflowTracking.keyValues(r.path("data").path("params")).get(k);
        return v == null ? null : numericOrText(v);
      };
    }
    if (field.startsWith("metric.")) {
      String k = field.substring(7);
      return r -> MlflowTracking.latestMetrics(r.path("data").path("metrics")).get(k);
    }
    return switch (field) {
      case "run_id" -> r -> r.path("info").path("run_id").asText();
      case "name" -> r -> r.path("info").path("run_name").asText("");
      case "status" -> r -> r.path("info").path("status").asText("");
      case "start_time" -> r -> JsonCodec.readLong(r.path("info").path("start_time"));
      case "end_time" ->
          r -> {
            long e = JsonCodec.readLong(r.path("info").path("end_time"));
            return e > 0 ? e : null;
          };
      default -> r -> runInfo(r.path("info")).duration();
    };
  }

  /** Numbers compare as numbers, so param "10" sorts after "9"; text compares as text. */
  private static Comparable<?> numericOrText(String s) {
    try {
      return new NumericText(Double.parseDouble(s), s);
    } catch (NumberFormatException e) {
      return new NumericText(Double.NaN, s);
    }
  }

  private record NumericText(double number, String text) implements Comparable<NumericText> {
    @Override
    public int compareTo(NumericText o) {
      boolean a = !Double.isNaN(number);
      boolean b = !Double.isNaN(o.number);
      if (a && b) {
        return Double.compare(number, o.number);
      }
      if (a != b) {
        return a ? -1 : 1;
      }
      return text.compareTo(o.text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Sorted by {@code sort} with absent values last; {@link Sort#none()} keeps the order. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <T> List<T> sorted(
      List<T> items, Sort sort, Function<String, Function<T, Comparable<?>>> keys) {
    if (sort.isNone()) {
      return items;
    }
    Function<T, Comparable<?>> key = keys.apply(sort.field().orElseThrow());
    Comparator<Comparable> natural =
        sort.isAscending() ? Comparator.naturalOrder() : Comparator.reverseOrder();
    Comparator<T> c =
        Comparator.comparing(t -> (Comparable) key.apply(t), Comparator.nullsLast(natural));
    List<T> out = new ArrayList<>(items);
    out.sort(c);
    return out;
  }
}
