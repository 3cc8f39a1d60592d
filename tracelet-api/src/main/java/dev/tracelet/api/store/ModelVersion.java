package dev.tracelet.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One version of a registered model. */
public record ModelVersion(
    String modelName,
    String version,
    String sourceRunId,
    Instant registeredAt,
    Map<String, String> tags,
    List<String> aliases) {
  public ModelVersion {
    tags = Map.copyOf(tags);
    aliases = List.copyOf(aliases);
  }
}
