package dev.tracelet.api.store;

import java.time.Instant;
import java.util.Map;

/** A store's experiment: a named group of runs (a Tracelet project). */
public record ExperimentInfo(String id, String name, Instant createdAt, Map<String, String> tags) {
  public ExperimentInfo {
    tags = Map.copyOf(tags);
  }
}
