package dev.tracelet.plugin.wandb.stub;

import java.util.Map;
import java.util.Optional;

/**
 * One artifact version the stub holds.
 *
 * @param name the collection name
 * @param type the artifact type name
 * @param versionIndex the version ({@code v0}, {@code v1}, …) once committed, else -1
 * @param digest the artifact digest it was created with
 * @param committed whether {@code CommitArtifact} succeeded
 * @param files the uploaded content of each file entry, by name
 * @param references the URI of each reference entry, by name
 */
public record StubArtifact(
    String name,
    String type,
    int versionIndex,
    String digest,
    boolean committed,
    Map<String, byte[]> files,
    Map<String, String> references) {
  public StubArtifact {
    files = Map.copyOf(files);
    references = Map.copyOf(references);
  }

  public Optional<byte[]> file(String path) {
    byte[] b = files.get(path);
    return b == null ? Optional.empty() : Optional.of(b.clone());
  }
}
