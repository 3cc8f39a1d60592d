package dev.tracelet.core.runtime;

import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Everything a store keeps of one run, read once for {@code tracelet sync}: identity and status,
 * parameters (typed where the store can say), tags, every metric point with its step and timestamp,
 * and the artifact files.
 *
 * @param info the run's identity, status and times
 * @param project the name of the store's experiment the run belongs to (Tracelet's project)
 * @param params parameters, numbers and booleans as such when the store keeps their type
 * @param tags tags, markers of earlier syncs left out
 * @param points every metric point, ordered by step, then timestamp, then name: the order a backend
 *     with a step counter (W&amp;B) accepts
 * @param artifacts artifact name to the paths of its files inside it
 */
public record StoredRun(
    RunInfo info,
    String project,
    Map<String, Object> params,
    Map<String, String> tags,
    List<MetricEvent> points,
    Map<String, List<String>> artifacts) {

  private static final Comparator<MetricEvent> SEND_ORDER =
      Comparator.comparingLong(MetricEvent::step)
          .thenComparingLong(MetricEvent::timestamp)
          .thenComparing(MetricEvent::name);

  public StoredRun {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    points = List.copyOf(points);
    artifacts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(artifacts));
  }

  /**
   * Reads {@code run} from {@code store} in full. Holds every point in memory, roughly 100 bytes
   * each while it is read.
   *
   * @param keepTag which tags to copy (a sync leaves out its own markers)
   */
  public static StoredRun read(RunStore store, RunDetails run, Predicate<String> keepTag) {
    RunInfo info = run.info();
    String project =
        store
            .getExperiment(info.experimentId())
            .map(ExperimentInfo::name)
            .orElse(info.experimentId());
    Map<String, String> tags = new LinkedHashMap<>();
    run.tags()
        .forEach(
            (k, v) -> {
              if (keepTag.test(k)) {
                tags.put(k, v);
              }
            });
    List<MetricEvent> points = new ArrayList<>();
    for (String key : run.metrics().keySet()) {
      for (MetricPoint p : store.metricHistory(info.runId(), key)) {
        points.add(new MetricEvent(key, p.value(), p.step(), p.timestamp()));
      }
    }
    points.sort(SEND_ORDER);
    Map<String, List<String>> artifacts = new LinkedHashMap<>();
    for (String entry : run.artifacts()) {
      int slash = entry.indexOf('/');
      String name = slash < 0 ? entry : entry.substring(0, slash);
      String inside = slash < 0 ? entry : entry.substring(slash + 1);
      artifacts.computeIfAbsent(name, n -> new ArrayList<>()).add(inside);
    }
    return new StoredRun(info, project, typedParams(store, run), tags, points, artifacts);
  }

  /**
   * {@code getRun} gives parameters as text; the results table keeps numbers as numbers, so a
   * W&amp;B config value 0.1 stays a number after a sync. Falls back to the text.
   */
  private static Map<String, Object> typedParams(RunStore store, RunDetails run) {
    Map<String, Object> params = new LinkedHashMap<>(run.params());
    if (params.isEmpty()) {
      return params;
    }
    try {
      for (Map<String, Object> row :
          store.loadResults(run.info().experimentId(), Sort.none()).rows()) {
        if (run.info().runId().equals(String.valueOf(row.get("run_id")))) {
          for (String key : run.params().keySet()) {
            Object typed = row.get("param." + key);
            if (typed instanceof Number || typed instanceof Boolean) {
              params.put(key, typed);
            }
          }
          break;
        }
      }
    } catch (RuntimeException e) {
      // A store without typed results: the text is what every backend shows anyway.
    }
    return params;
  }

  /** Tags with a value, sent as tag events; tags without one are the run's start tags. */
  public Map<String, String> valueTags() {
    Map<String, String> out = new LinkedHashMap<>();
    tags.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** Tags without a value: labels given when the run started. */
  public List<String> startTags() {
    List<String> out = new ArrayList<>();
    tags.forEach(
        (k, v) -> {
          if (v.isEmpty()) {
            out.add(k);
          }
        });
    return out;
  }

  /** The events a sync sends: parameters, tags with a value, and metric points. */
  public long events() {
    return params.size() + valueTags().size() + (long) points.size();
  }
}
