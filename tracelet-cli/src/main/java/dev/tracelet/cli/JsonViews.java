package dev.tracelet.cli;

import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.core.plugin.PluginReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shape of each value, spelled out rather than left to reflection so that scripts see
 * stable snake_case keys (the store's field names) and UTC ISO-8601 instants.
 */
final class JsonViews {
  private JsonViews() {}

  static @Nullable String instant(@Nullable Instant t) {
    return t == null ? null : t.toString();
  }

  static Map<String, Object> experiment(ExperimentInfo e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment_id", e.id());
    m.put("name", e.name());
    m.put("created_at", instant(e.createdAt()));
    m.put("tags", new TreeMap<>(e.tags()));
    return m;
  }

  static Map<String, Object> summary(ExperimentSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment_id", s.experimentId());
    m.put("name", s.name());
    m.put("created_at", instant(s.createdAt()));
    m.put("num_runs", s.numRuns());
    m.put("last_run", instant(s.lastRun()));
    return m;
  }

  static Map<String, Object> run(RunInfo r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", r.runId());
    m.put("experiment_id", r.experimentId());
    m.put("name", r.name());
    m.put("status", r.status().name());
    m.put("start_time", instant(r.startTime()));
    m.put("end_time", instant(r.endTime()));
    m.put("duration_ms", r.endTime() == null ? null : r.duration().toMillis());
    return m;
  }

  static Map<String, Object> details(RunDetails d) {
    Map<String, Object> m = run(d.info());
    m.put("params", new TreeMap<>(d.params()));
    m.put("metrics", new TreeMap<>(d.metrics()));
    m.put("tags", new TreeMap<>(d.tags()));
    m.put("artifacts", d.artifacts());
    return m;
  }

  static List<Map<String, Object>> history(List<MetricPoint> points) {
    return points.stream()
        .map(
            p -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("step", p.step());
              m.put("timestamp", p.timestamp());
              m.put("value", p.value());
              return m;
            })
        .toList();
  }

  static Map<String, Object> version(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_name", v.modelName());
    m.put("version", v.version());
    m.put("source_run_id", v.sourceRunId());
    m.put("registered_at", instant(v.registeredAt()));
    m.put("tags", new TreeMap<>(v.tags()));
    m.put("aliases", v.aliases());
    return m;
  }

  static Map<String, Object> plugin(PluginReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("version", r.version());
    m.put("type", r.type());
    m.put("state", r.state());
    m.put("file", r.file());
    m.put("backends", r.backends());
    m.put("error", r.error());
    return m;
  }
}
