package dev.tracelet.api.store;

import java.util.List;
import java.util.Map;

/**
 * Everything about one run: its info, parameters, the latest value of each metric, tags and the
 * relative paths of its artifacts. The maps are separate so that no metric or parameter can shadow
 * a field of the run (a metric called {@code status} stays a metric).
 */
public record RunDetails(
    RunInfo info,
    Map<String, String> params,
    Map<String, Double> metrics,
    Map<String, String> tags,
    List<String> artifacts) {
  public RunDetails {
    params = Map.copyOf(params);
    metrics = Map.copyOf(metrics);
    tags = Map.copyOf(tags);
    artifacts = List.copyOf(artifacts);
  }
}
