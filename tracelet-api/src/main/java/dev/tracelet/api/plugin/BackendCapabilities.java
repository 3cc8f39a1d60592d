package dev.tracelet.api.plugin;

import dev.tracelet.api.artifact.ArtifactType;
import java.util.Set;

/**
 * What a backend session can take, so the dispatcher can fit its batches and route artifacts.
 *
 * @param maxBatchEvents most events one {@link BackendSession#log} call may carry (at least 1)
 * @param artifacts whether {@link BackendSession#logArtifact} stores anything
 * @param preferredArtifactTypes the types this backend is best at; artifacts of a type some backend
 *     prefers go only to the backends preferring it, others go to all
 * @param readSupport whether {@link BackendSession#store()} answers queries
 */
public record BackendCapabilities(
    int maxBatchEvents,
    boolean artifacts,
    Set<ArtifactType> preferredArtifactTypes,
    boolean readSupport) {
  public BackendCapabilities {
    if (maxBatchEvents < 1) {
      throw new IllegalArgumentException(
          "maxBatchEvents must be at least 1, was " + maxBatchEvents);
    }
    preferredArtifactTypes = Set.copyOf(preferredArtifactTypes);
  }

  /** Batches of up to 1,000 events, artifacts of every type, no read side. */
  public static BackendCapabilities defaults() {
    return new BackendCapabilities(1_000, true, Set.of(), false);
  }

  public BackendCapabilities withMaxBatchEvents(int n) {
    return new BackendCapabilities(n, artifacts, preferredArtifactTypes, readSupport);
  }

  public BackendCapabilities withArtifacts(boolean v) {
    return new BackendCapabilities(maxBatchEvents, v, preferredArtifactTypes, readSupport);
  }

  public BackendCapabilities withPreferredArtifactTypes(Set<ArtifactType> v) {
    return new BackendCapabilities(maxBatchEvents, artifacts, v, readSupport);
  }

  public BackendCapabilities withReadSupport(boolean v) {
    return new BackendCapabilities(maxBatchEvents, artifacts, preferredArtifactTypes, v);
  }
}
