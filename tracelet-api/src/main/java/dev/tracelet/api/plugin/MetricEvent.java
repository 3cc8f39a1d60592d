package dev.tracelet.api.plugin;

import java.util.Objects;

/**
 * One metric point.
 *
 * @param name the metric's name, validated by the runtime
 * @param value any double, NaN and infinities included (each backend encodes them its way)
 * @param step the step; 0 is valid
 * @param timestamp epoch milliseconds when it was logged
 */
public record MetricEvent(String name, double value, long step, long timestamp) {
  public MetricEvent {
    Objects.requireNonNull(name, "name");
  }
}
