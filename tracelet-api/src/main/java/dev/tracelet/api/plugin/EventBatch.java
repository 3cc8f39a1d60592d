package dev.tracelet.api.plugin;

import java.util.List;

/**
 * Events handed to a backend in one call, in the order they were logged within each kind.
 * Parameters and tags of a batch were logged no later than its last metric; a backend may send them
 * first. Immutable.
 */
public record EventBatch(List<MetricEvent> metrics, List<ParamEvent> params, List<TagEvent> tags) {
  private static final EventBatch EMPTY = new EventBatch(List.of(), List.of(), List.of());

  public EventBatch {
    metrics = List.copyOf(metrics);
    params = List.copyOf(params);
    tags = List.copyOf(tags);
  }

  public static EventBatch empty() {
    return EMPTY;
  }

  public static EventBatch ofMetrics(List<MetricEvent> metrics) {
    return new EventBatch(metrics, List.of(), List.of());
  }

  /** Number of events of every kind. */
  public int size() {
    return metrics.size() + params.size() + tags.size();
  }

  public boolean isEmpty() {
    return size() == 0;
  }
}
