package dev.tracelet.testkit.recording;

import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.ArtifactType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One artifact as the recording backend received it, with the bytes of each file copied into memory
 * when it was logged (so a host that deletes its temporary files afterwards changes nothing here).
 * Immutable.
 */
public final class RecordedArtifact {
  private final String name;
  private final ArtifactType type;
  private final @Nullable String description;
  private final String version;
  private final Map<String, byte[]> files;
  private final List<String> objectNames;
  private final List<ArtifactReference> references;
  private final Map<String, Object> metadata;

  RecordedArtifact(
      String name,
      ArtifactType type,
      @Nullable String description,
      String version,
      Map<String, byte[]> files,
      List<String> objectNames,
      List<ArtifactReference> references,
      Map<String, Object> metadata) {
    this.name = name;
    this.type = type;
    this.description = description;
    this.version = version;
    Map<String, byte[]> copy = new LinkedHashMap<>();
    files.forEach((path, bytes) -> copy.put(path, bytes.clone()));
    this.files = Collections.unmodifiableMap(copy);
    this.objectNames = List.copyOf(objectNames);
    this.references = List.copyOf(references);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public String name() {
    return name;
  }

  public ArtifactType type() {
    return type;
  }

  public @Nullable String description() {
    return description;
  }

  /** {@code "1"} for the first artifact of this name in the run, then {@code "2"}, … */
  public String version() {
    return version;
  }

  /** The artifact paths of its files, in the order they were added. */
  public List<String> filePaths() {
    return List.copyOf(files.keySet());
  }

  /** A copy of the bytes of the file at {@code artifactPath}, or empty if it has no such file. */
  public Optional<byte[]> fileBytes(String artifactPath) {
    byte[] bytes = files.get(artifactPath);
    return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
  }

  /**
   * Names of in-memory objects the artifact still listed; the host should have written them to
   * files before delivery, so a non-empty list in a host test usually points at a host bug.
   */
  public List<String> objectNames() {
    return objectNames;
  }

  public List<ArtifactReference> references() {
    return references;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    List<String> sizes = new ArrayList<>();
    files.forEach((path, bytes) -> sizes.add(path + " (" + bytes.length + " bytes)"));
    return "RecordedArtifact{name="
        + name
        + ", type="
        + type
        + ", version="
        + version
        + ", files="
        + sizes
        + '}';
  }
}
