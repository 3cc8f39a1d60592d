package dev.tracelet.cli;

import dev.tracelet.api.store.RunDetails;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs side by side: every parameter and the latest value of every metric, and for each metric the
 * best run. "Best" depends on the metric — RuneLog took the maximum for everything, which picks the
 * worst run by loss — so each metric has a goal: the one the user chose, else minimize when its
 * name says it measures a loss or an error, else maximize.
 */
final class RunComparison {
  /** Which way is better for a metric. */
  enum Goal {
    MINIMIZE,
    MAXIMIZE;

    String word() {
      return this == MINIMIZE ? "min" : "max";
    }
  }

  /** Name parts that mark a metric where lower is better. */
  static final List<String> LOWER_IS_BETTER = List.of("loss", "error", "mse", "mae");

  /**
   * One metric across the runs.
   *
   * @param values the run's latest value, by run id; runs without the metric are absent
   * @param best the ids of the best runs (several when tied); empty when no run has a number
   */
  record MetricRow(String name, Map<String, Double> values, Goal goal, List<String> best) {}

  private final List<RunDetails> runs;
  private final Map<String, Map<String, String>> params;
  private final List<MetricRow> metrics;

  private RunComparison(
      List<RunDetails> runs, Map<String, Map<String, String>> params, List<MetricRow> metrics) {
    this.runs = runs;
    this.params = params;
    this.metrics = metrics;
  }

  /**
   * Compares runs.
   *
   * @param maximize metrics where higher is better, whatever their name says
   * @param minimize metrics where lower is better, whatever their name says
   * @throws CliException (usage) when a metric is in both sets
   */
  static RunComparison of(
      List<RunDetails> runs, Collection<String> maximize, Collection<String> minimize) {
    Set<String> both = new TreeSet<>(maximize);
    both.retainAll(minimize);
    if (!both.isEmpty()) {
      throw CliException.usage(
          "Metric " + String.join(", ", both) + " cannot be both --maximize and --minimize.");
    }
    Set<String> paramKeys = new TreeSet<>();
    Set<String> metricKeys = new TreeSet<>();
    for (RunDetails r : runs) {
      paramKeys.addAll(r.params().keySet());
      metricKeys.addAll(r.metrics().keySet());
    }
    Map<String, Map<String, String>> params = new LinkedHashMap<>();
    for (String key : paramKeys) {
      Map<String, String> byRun = new LinkedHashMap<>();
      for (RunDetails r : runs) {
        String v = r.params().get(key);
        if (v != null) {
          byRun.put(r.info().runId(), v);
        }
      }
      params.put(key, byRun);
    }
    List<MetricRow> metrics = new ArrayList<>();
    for (String key : metricKeys) {
      Goal goal =
          maximize.contains(key)
              ? Goal.MAXIMIZE
              : minimize.contains(key) ? Goal.MINIMIZE : defaultGoal(key);
      Map<String, Double> byRun = new LinkedHashMap<>();
      for (RunDetails r : runs) {
        Double v = r.metrics().get(key);
        if (v != null) {
          byRun.put(r.info().runId(), v);
        }
      }
      metrics.add(new MetricRow(key, byRun, goal, best(byRun, goal)));
    }
    return new RunComparison(List.copyOf(runs), params, metrics);
  }

  /** Minimize when the name contains loss, error, mse or mae (any case); maximize otherwise. */
  static Goal defaultGoal(String metric) {
    String m = metric.toLowerCase(Locale.ROOT);
    for (String part : LOWER_IS_BETTER) {
      if (m.contains(part)) {
        return Goal.MINIMIZE;
      }
    }
    return Goal.MAXIMIZE;
  }

  /** The runs holding the best value; NaN never wins. */
  private static List<String> best(Map<String, Double> values, Goal goal) {
    Double bestValue = null;
    for (double v : values.values()) {
      if (Double.isNaN(v)) {
        continue;
      }
      if (bestValue == null || (goal == Goal.MAXIMIZE ? v > bestValue : v < bestValue)) {
        bestValue = v;
      }
    }
    List<String> ids = new ArrayList<>();
    if (bestValue != null) {
      for (Map.Entry<String, Double> e : values.entrySet()) {
        if (e.getValue().equals(bestValue)) {
          ids.add(e.getKey());
        }
      }
    }
    return ids;
  }

  List<RunDetails> runs() {
    return runs;
  }

  /** Parameter key → value by run id, keys sorted. */
  Map<String, Map<String, String>> params() {
    return params;
  }

  /** Only the parameters that some run lacks or holds with another value. */
  Map<String, Map<String, String>> differingParams() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    params.forEach(
        (key, byRun) -> {
          if (byRun.size() < runs.size() || new TreeSet<>(byRun.values()).size() > 1) {
            out.put(key, byRun);
          }
        });
    return out;
  }

  List<MetricRow> metrics() {
    return metrics;
  }
}
