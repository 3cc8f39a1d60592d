package dev.tracelet.api.artifact;

import java.util.Map;
import java.util.Objects;

/**
 * What one backend did with an artifact.
 *
 * @param backend the backend's name
 * @param uri where the backend keeps it
 * @param version the backend's version of it ({@code "1"}, {@code "v3"}, a digest)
 * @param metadata backend-specific details
 */
public record ArtifactResult(
    String backend, String uri, String version, Map<String, Object> metadata) {
  public ArtifactResult {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(version, "version");
    metadata = Map.copyOf(metadata);
  }
}
