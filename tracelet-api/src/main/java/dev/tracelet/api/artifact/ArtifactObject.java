package dev.tracelet.api.artifact;

import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory object of an artifact, written to a file by the runtime before delivery.
 *
 * @param obj the object
 * @param name the file name it is written under, such as {@code config.json}
 * @param serializer {@code "json"}, {@code "yaml"} or {@code "java"} (Java serialisation)
 * @param description free text, or null
 */
public record ArtifactObject(
    Object obj, String name, String serializer, @Nullable String description) {
  /** The serialisers the runtime understands. */
  public static final Set<String> SERIALIZERS = Set.of("json", "yaml", "java");

  public ArtifactObject {
    Objects.requireNonNull(obj, "obj");
    ArtifactPaths.requireSafeRelative(name, "name");
    if (!SERIALIZERS.contains(serializer)) {
      throw new IllegalArgumentException(
          "Unknown serializer '"
              + serializer
              + "' for object '"
              + name
              + "'; use one of json, yaml, java");
    }
  }
}
