package dev.tracelet.api.artifact;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One file of an artifact.
 *
 * @param localPath where the file is now
 * @param artifactPath relative path inside the artifact, {@code /}-separated, never escaping it
 * @param description free text, or null
 * @param sizeBytes size when added
 * @param checksum lower-case hex SHA-256 of the content when added
 */
public record ArtifactFile(
    Path localPath,
    String artifactPath,
    @Nullable String description,
    long sizeBytes,
    String checksum) {
  public ArtifactFile {
    Objects.requireNonNull(localPath, "localPath");
    ArtifactPaths.requireSafeRelative(artifactPath, "artifactPath");
    Objects.requireNonNull(checksum, "checksum");
  }
}
