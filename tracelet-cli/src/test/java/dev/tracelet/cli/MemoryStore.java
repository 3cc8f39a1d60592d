package dev.tracelet.cli;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.ModelNotFoundException;
import dev.tracelet.api.ModelVersionNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ModelVersion;
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
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** A whole {@link RunStore} and {@link ModelRegistry} in memory, with soft delete; for tests. */
final class MemoryStore implements RunStore {

  private static final class Exp {
    final String id;
    final String name;
    final Instant createdAt = Instant.now();
    final Map<String, String> tags = new TreeMap<>();
    boolean deleted;

    Exp(String id, String name) {
      this.id = id;
      this.name = name;
    }

    ExperimentInfo info() {
      return new ExperimentInfo(id, name, createdAt, tags);
    }
  }

  private static final class Run {
    final String id;
    final String experimentId;
    final String name;
    final Instant start;
    @Nullable Instant end;
    RunStatus status = RunStatus.RUNNING;
    final Map<String, String> params = new TreeMap<>();
    final Map<String, List<MetricPoint>> metrics = new TreeMap<>();
    final Map<String, String> tags = new TreeMap<>();
    final Map<String, Map<String, byte[]>> artifacts = new LinkedHashMap<>();
    boolean deleted;

    Run(String id, String experimentId, String name, Instant start) {
      this.id = id;
      this.experimentId = experimentId;
      this.name = name;
      this.start = start;
    }

    RunInfo info() {
      return new RunInfo(id, experimentId, name, status, start, end);
    }

    Map<String, Double> latest() {
      Map<String, Double> m = new TreeMap<>();
      metrics.forEach((k, points) -> m.put(k, points.get(points.size() - 1).value()));
      return m;
    }
  }

  private final Map<String, Exp> experiments = new LinkedHashMap<>();
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final Registry registry = new Registry();
  private int nextExperimentId = 1;

  synchronized void startRun(
      String runId, String experimentId, String name, Instant start, List<String> tags) {
    Run r = runs.computeIfAbsent(runId, id -> new Run(id, experimentId, name, start));
    tags.forEach(t -> r.tags.put(t, ""));
  }

  synchronized void param(String runId, String key, String value) {
    run(runId).params.put(key, value);
  }

  synchronized void tag(String runId, String key, String value) {
    run(runId).tags.put(key, value);
  }

  synchronized void metric(String runId, String key, long step, long timestamp, double value) {
    run(runId)
        .metrics
        .computeIfAbsent(key, k -> new ArrayList<>())
        .add(new MetricPoint(step, timestamp, value));
  }

  synchronized void artifact(String runId, String name, Map<String, byte[]> files) {
    run(runId).artifacts.put(name, files);
  }

  synchronized void endRun(String runId, RunStatus status, Instant end) {
    Run r = run(runId);
    r.status = status;
    r.end = end;
  }

  private Run run(String runId) {
    Run r = runs.get(runId);
    if (r == null || r.deleted) {
      throw new RunNotFoundException("Run '" + runId + "' not found");
    }
    return r;
  }

  private Optional<Exp> find(String idOrName) {
    Exp byId = experiments.get(idOrName);
    if (byId != null && !byId.deleted) {
      return Optional.of(byId);
    }
    return experiments.values().stream()
        .filter(e -> !e.deleted && e.name.equals(idOrName))
        .findFirst();
  }

  private Exp exp(String idOrName) {
    return find(idOrName)
        .orElseThrow(
            () -> new ExperimentNotFoundException("Experiment '" + idOrName + "' not found"));
  }

  private List<Run> liveRuns(String experimentId) {
    return runs.values().stream()
        .filter(r -> !r.deleted && r.experimentId.equals(experimentId))
        .toList();
  }

  @Override
  public synchronized List<ExperimentInfo> listExperiments() {
    return experiments.values().stream().filter(e -> !e.deleted).map(Exp::info).toList();
  }

  @Override
  public synchronized Optional<ExperimentInfo> getExperiment(String idOrName) {
    return find(idOrName).map(Exp::info);
  }

  @Override
  public synchronized String getOrCreateExperiment(String name) {
    Optional<Exp> e =
        experiments.values().stream().filter(x -> !x.deleted && x.name.equals(name)).findFirst();
    if (e.isPresent()) {
      return e.get().id;
    }
    String id = Integer.toString(nextExperimentId++);
    experiments.put(id, new Exp(id, name));
    return id;
  }

  @Override
  public synchronized List<ExperimentSummary> experimentSummaries(Sort sort) {
    sort.requireValid(Sort.SUMMARY_FIELDS);
    List<ExperimentSummary> out = new ArrayList<>();
    for (Exp e : experiments.values()) {
      if (e.deleted) {
        continue;
      }
      List<Run> rs = liveRuns(e.id);
      Instant last = rs.stream().map(r -> r.start).max(Comparator.naturalOrder()).orElse(null);
      out.add(new ExperimentSummary(e.id, e.name, e.createdAt, rs.size(), last));
    }
    Map<String, Function<ExperimentSummary, @Nullable Comparable<?>>> keys = new LinkedHashMap<>();
    keys.put("experiment_id", s -> Integer.parseInt(s.experimentId()));
    keys.put("name", ExperimentSummary::name);
    keys.put("created_at", ExperimentSummary::createdAt);
    keys.put("num_runs", ExperimentSummary::numRuns);
    keys.put("last_run", ExperimentSummary::lastRun);
    return sorted(out, sort, f -> keys.get(f));
  }

  @Override
  public synchronized List<RunInfo> experimentRuns(String experimentIdOrName, Sort sort) {
    sort.requireValid(Sort.RUN_FIELDS);
    Exp e = exp(experimentIdOrName);
    List<Run> rs = liveRuns(e.id);
    return sorted(rs, sort, MemoryStore::runKey).stream().map(Run::info).toList();
  }

  private static @Nullable Function<Run, @Nullable Comparable<?>> runKey(String field) {
    if (field.startsWith("param.")) {
      String k = field.substring(6);
      return r -> r.params.get(k);
    }
    if (field.startsWith("metric.")) {
      String k = field.substring(7);
      return r -> r.latest().get(k);
    }
    return switch (field) {
      case "run_id" -> r -> r.id;
      case "name" -> r -> r.name;
      case "status" -> r -> r.status.name();
      case "start_time" -> r -> r.start;
      case "end_time" -> r -> r.end;
      case "duration" -> r -> r.info().duration();
      default -> null;
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> List<T> sorted(
      Collection<T> items,
      Sort sort,
      Function<String, @Nullable Function<T, @Nullable Comparable<?>>> keyOf) {
    List<T> out = new ArrayList<>(items);
    if (sort.isNone()) {
      return out;
    }
    Function<T, Comparable> key = (Function) keyOf.apply(sort.field().orElseThrow());
    Comparator<T> c = Comparator.comparing(key, Comparator.nullsLast(Comparator.naturalOrder()));
    out.sort(sort.isAscending() ? c : c.reversed());
    return out;
  }

  @Override
  public synchronized Optional<RunDetails> getRun(String runId) {
    Run r = runs.get(runId);
    if (r == null || r.deleted) {
      return Optional.empty();
    }
    List<String> artifacts = new ArrayList<>();
    r.artifacts.forEach(
        (name, files) -> files.keySet().forEach(p -> artifacts.add(name + "/" + p)));
    return Optional.of(new RunDetails(r.info(), r.params, r.latest(), r.tags, artifacts));
  }

  @Override
  public synchronized List<MetricPoint> metricHistory(String runId, String key) {
    return List.copyOf(run(runId).metrics.getOrDefault(key, List.of()));
  }

  @Override
  public synchronized ResultsTable loadResults(String experimentIdOrName, Sort sort) {
    List<RunInfo> infos = experimentRuns(experimentIdOrName, sort);
    TreeSet<String> params = new TreeSet<>();
    TreeSet<String> metrics = new TreeSet<>();
    for (RunInfo i : infos) {
      params.addAll(runs.get(i.runId()).params.keySet());
      metrics.addAll(runs.get(i.runId()).metrics.keySet());
    }
    List<String> columns =
        new ArrayList<>(List.of("run_id", "status", "start_time", "end_time", "duration"));
    params.forEach(p -> columns.add("param." + p));
    metrics.forEach(m -> columns.add("metric." + m));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (RunInfo i : infos) {
      Run r = runs.get(i.runId());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("run_id", r.id);
      row.put("status", r.status.name());
      row.put("start_time", r.start.toString());
      if (r.end != null) {
        row.put("end_time", r.end.toString());
        row.put("duration", i.duration().toMillis() / 1000.0);
      }
      r.params.forEach((k, v) -> row.put("param." + k, v));
      r.latest().forEach((k, v) -> row.put("metric." + k, v));
      rows.add(row);
    }
    return new ResultsTable(columns, rows);
  }

  @Override
  public synchronized void deleteExperiment(String idOrName) {
    Exp e = exp(idOrName);
    e.deleted = true;
    liveRuns(e.id).forEach(r -> r.deleted = true);
  }

  @Override
  public synchronized void deleteRun(String runId) {
    run(runId).deleted = true;
  }

  @Override
  public synchronized void restoreRun(String runId) {
    Run r = runs.get(runId);
    if (r == null) {
      throw new RunNotFoundException("Run '" + runId + "' not found");
    }
    r.deleted = false;
  }

  @Override
  public synchronized int purgeDeleted() {
    int before = runs.size();
    runs.values().removeIf(r -> r.deleted);
    experiments.values().removeIf(e -> e.deleted);
    return before - runs.size();
  }

  @Override
  public synchronized Path artifactPath(String runId, String artifactName) {
    Map<String, byte[]> files = run(runId).artifacts.get(artifactName);
    if (files == null || files.isEmpty()) {
      throw new ArtifactNotFoundException(
          "Run " + runId + " has no artifact '" + artifactName + "'");
    }
    try {
      Path dir = Files.createTempDirectory("memory-artifact-");
      Path first = null;
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path p = dir.resolve(f.getKey());
        Files.write(p, f.getValue());
        first = first == null ? p : first;
      }
      return files.size() == 1 ? first : dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  /** Versions are kept per model, oldest first. */
  private final class Registry implements ModelRegistry {
    private final Map<String, List<ModelVersion>> models = new TreeMap<>();

    @Override
    public String registerModel(
        String runId, String artifactName, String modelName, Map<String, String> tags) {
      synchronized (MemoryStore.this) {
        artifactPath(runId, artifactName);
        List<ModelVersion> versions = models.computeIfAbsent(modelName, m -> new ArrayList<>());
        String v = Integer.toString(versions.size() + 1);
        versions.add(new ModelVersion(modelName, v, runId, Instant.now(), tags, List.of()));
        return v;
      }
    }

    @Override
    public List<String> listRegisteredModels() {
      synchronized (MemoryStore.this) {
        return List.copyOf(models.keySet());
      }
    }

    @Override
    public List<ModelVersion> modelVersions(String modelName, Sort sort) {
      synchronized (MemoryStore.this) {
        sort.requireValid(Sort.VERSION_FIELDS);
        List<ModelVersion> newestFirst = new ArrayList<>(versions(modelName));
        java.util.Collections.reverse(newestFirst);
        Map<String, Function<ModelVersion, @Nullable Comparable<?>>> keys = new LinkedHashMap<>();
        keys.put("version", v -> Integer.parseInt(v.version()));
        keys.put("registered_at", ModelVersion::registeredAt);
        return sorted(newestFirst, sort, keys::get);
      }
    }

    private List<ModelVersion> versions(String modelName) {
      List<ModelVersion> v = models.get(modelName);
      if (v == null) {
        throw new ModelNotFoundException("Model '" + modelName + "' not found");
      }
      return v;
    }

    private int index(String modelName, String version) {
      List<ModelVersion> vs = versions(modelName);
      for (int i = vs.size() - 1; i >= 0; i--) {
        ModelVersion v = vs.get(i);
        if (version.equals("latest")
            || v.version().equals(version)
            || v.aliases().contains(version)) {
          return i;
        }
      }
      throw new ModelVersionNotFoundException(
          "Model '" + modelName + "' has no version '" + version + "'");
    }

    @Override
    public Map<String, String> modelTags(String modelName, String version) {
      synchronized (MemoryStore.this) {
        return versions(modelName).get(index(modelName, version)).tags();
      }
    }

    @Override
    public void addModelTags(String modelName, String version, Map<String, String> tags) {
      synchronized (MemoryStore.this) {
        int i = index(modelName, version);
        ModelVersion v = versions(modelName).get(i);
        Map<String, String> t = new TreeMap<>(v.tags());
        t.putAll(tags);
        versions(modelName).set(i, with(v, t, v.aliases()));
      }
    }

    @Override
    public void removeModelTags(String modelName, String version, Collection<String> keys) {
      synchronized (MemoryStore.this) {
        int i = index(modelName, version);
        ModelVersion v = versions(modelName).get(i);
        Map<String, String> t = new TreeMap<>(v.tags());
        keys.forEach(t::remove);
        versions(modelName).set(i, with(v, t, v.aliases()));
      }
    }

    @Override
    public void setAlias(String modelName, String alias, String version) {
      synchronized (MemoryStore.this) {
        int target = index(modelName, version);
        deleteAlias(modelName, alias);
        ModelVersion v = versions(modelName).get(target);
        List<String> a = new ArrayList<>(v.aliases());
        a.add(alias);
        versions(modelName).set(target, with(v, v.tags(), a));
      }
    }

    @Override
    public void deleteAlias(String modelName, String alias) {
      synchronized (MemoryStore.this) {
        List<ModelVersion> vs = versions(modelName);
        for (int i = 0; i < vs.size(); i++) {
          ModelVersion v = vs.get(i);
          if (v.aliases().contains(alias)) {
            List<String> a = new ArrayList<>(v.aliases());
            a.remove(alias);
            vs.set(i, with(v, v.tags(), a));
          }
        }
      }
    }

    @Override
    public Path loadRegisteredModel(String modelName, String version) {
      synchronized (MemoryStore.this) {
        ModelVersion v = versions(modelName).get(index(modelName, version));
        return artifactPath(v.sourceRunId(), "model");
      }
    }

    private ModelVersion with(ModelVersion v, Map<String, String> tags, List<String> aliases) {
      return new ModelVersion(
          v.modelName(), v.version(), v.sourceRunId(), v.registeredAt(), tags, aliases);
    }
  }
}
