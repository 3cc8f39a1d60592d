package dev.tracelet.api.artifact;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An external file an artifact points at (S3, GCS, HTTP, …) without copying it.
 *
 * @param uri where it is
 * @param sizeBytes its size when known, or null
 * @param description free text, or null
 */
public record ArtifactReference(URI uri, @Nullable Long sizeBytes, @Nullable String description) {
  public ArtifactReference {
    Objects.requireNonNull(uri, "uri");
    if (sizeBytes != null && sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must not be negative, was " + sizeBytes);
    }
  }
}
