package dev.tracelet.api.artifact;

import dev.tracelet.api.ArtifactNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named artifact being put together: files, serialised objects, external references and a model,
 * then logged with {@code Experiment.logArtifact}. The {@code add*} methods return {@code this} for
 * chaining.
 *
 * <p>Not thread-safe: fill it on one thread. Files are checked and fingerprinted (size, SHA-256)
 * when added, so a missing or unreadable file fails at the {@code addFile} call, not later on a
 * backend's thread. Adding two entries with the same artifact path is refused rather than one
 * silently overwriting the other.
 */
public final class TraceletArtifact {
  private final String name;
  private final ArtifactType type;
  private final @Nullable String description;
  private final Instant createdAt;
  private final List<ArtifactFile> files = new ArrayList<>();
  private final List<ArtifactObject> objects = new ArrayList<>();
  private final List<ArtifactReference> references = new ArrayList<>();
  private final Map<String, Object> metadata = new LinkedHashMap<>();

  public TraceletArtifact(String name, ArtifactType type, @Nullable String description) {
    this(name, type, description, Instant.now());
  }

  /** For backends that read an artifact back with its original creation time. */
  public TraceletArtifact(
      String name, ArtifactType type, @Nullable String description, Instant createdAt) {
    this.name = ArtifactPaths.requireSafeRelative(name, "artifact name");
    if (name.contains("/")) {
      throw new IllegalArgumentException(
          "artifact name '" + name + "' must be one path segment (no '/')");
    }
    this.type = Objects.requireNonNull(type, "type");
    this.description = description;
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * Adds a local file.
   *
   * @param localPath an existing, readable regular file
   * @param artifactPath where it goes inside the artifact; null means its file name
   * @throws ArtifactNotFoundException if the file is missing, not a regular file or unreadable
   * @throws IllegalArgumentException if {@code artifactPath} could escape the artifact or is taken
   */
  public TraceletArtifact addFile(
      Path localPath, @Nullable String artifactPath, @Nullable String description) {
    Objects.requireNonNull(localPath, "localPath");
    String target = artifactPath == null ? String.valueOf(localPath.getFileName()) : artifactPath;
    ArtifactPaths.requireSafeRelative(target, "artifactPath");
    requireFree(target);
    if (!Files.isRegularFile(localPath)) {
      throw new ArtifactNotFoundException(
          "Artifact file "
              + localPath.toAbsolutePath()
              + " does not exist or is not a regular file; pass an existing file (directories:"
              + " add each file).");
    }
    try {
      long size = Files.size(localPath);
      files.add(new ArtifactFile(localPath, target, description, size, sha256(localPath)));
    } catch (IOException e) {
      throw new ArtifactNotFoundException(
          "Artifact file "
              + localPath.toAbsolutePath()
              + " cannot be read ("
              + e
              + "); make it readable by this process, or pass another file.",
          e);
    }
    return this;
  }

  /**
   * Adds an object, written to {@code name} with {@code serializer} when the artifact is logged.
   */
  public TraceletArtifact addObject(
      Object obj, String name, String serializer, @Nullable String description) {
    ArtifactObject o = new ArtifactObject(obj, name, serializer, description);
    requireFree(name);
    objects.add(o);
    return this;
  }

  /** Adds a reference to a file kept elsewhere; nothing is copied. */
  public TraceletArtifact addReference(
      URI uri, @Nullable Long sizeBytes, @Nullable String description) {
    references.add(new ArtifactReference(uri, sizeBytes, description));
    return this;
  }

  /**
   * Adds a model. A {@link Path} is added as a file; any other object as {@code model.ser} (Java
   * serialisation) when it is {@link java.io.Serializable}, else as {@code model.json}. Records
   * {@code framework}, {@code model_class} and the input example's type in {@link #metadata()}.
   *
   * @throws IllegalStateException if this artifact is not of a model-like type (MODEL, CHECKPOINT,
   *     WEIGHTS)
   */
  public TraceletArtifact addModel(
      Object model,
      @Nullable String framework,
      @Nullable Object inputExample,
      @Nullable String description) {
    if (type != ArtifactType.MODEL
        && type != ArtifactType.CHECKPOINT
        && type != ArtifactType.WEIGHTS) {
      throw new IllegalStateException(
          "addModel needs an artifact of type MODEL, CHECKPOINT or WEIGHTS; '"
              + name
              + "' is "
              + type);
    }
    Objects.requireNonNull(model, "model");
    if (model instanceof Path p) {
      addFile(p, null, description);
    } else if (model instanceof java.io.Serializable) {
      addObject(model, "model.ser", "java", description);
    } else {
      addObject(model, "model.json", "json", description);
    }
    metadata.put("framework", framework == null ? "java" : framework);
    metadata.put("model_class", model.getClass().getName());
    if (inputExample != null) {
      metadata.put("input_example_class", inputExample.getClass().getName());
      metadata.put("input_example", String.valueOf(inputExample));
    }
    return this;
  }

  /** Adds a metadata entry; returns {@code this}. */
  public TraceletArtifact putMetadata(String key, Object value) {
    metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
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

  /** Total size of the files and of the references whose size is known. */
  public long sizeBytes() {
    long total = 0;
    for (ArtifactFile f : files) {
      total += f.sizeBytes();
    }
    for (ArtifactReference r : references) {
      if (r.sizeBytes() != null) {
        total += r.sizeBytes();
      }
    }
    return total;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public List<ArtifactFile> files() {
    return Collections.unmodifiableList(files);
  }

  public List<ArtifactObject> objects() {
    return Collections.unmodifiableList(objects);
  }

  public List<ArtifactReference> references() {
    return Collections.unmodifiableList(references);
  }

  public Map<String, Object> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /** A copy with the same name, type, description and time, holding exactly {@code files}. */
  public TraceletArtifact withFilesOnly(List<ArtifactFile> newFiles) {
    TraceletArtifact copy = new TraceletArtifact(name, type, description, createdAt);
    copy.files.addAll(newFiles);
    copy.references.addAll(references);
    copy.metadata.putAll(metadata);
    return copy;
  }

  /** The seed's {@code to_dict}: a JSON-friendly summary. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type.value());
    m.put("description", description == null ? "" : description);
    m.put("size_bytes", sizeBytes());
    m.put("created_at", createdAt.toString());
    List<Map<String, Object>> fs = new ArrayList<>();
    for (ArtifactFile f : files) {
      fs.add(
          Map.of(
              "artifact_path", f.artifactPath(),
              "size_bytes", f.sizeBytes(),
              "checksum", f.checksum()));
    }
    m.put("files", fs);
    List<String> os = new ArrayList<>();
    objects.forEach(o -> os.add(o.name()));
    m.put("objects", os);
    List<String> rs = new ArrayList<>();
    references.forEach(r -> rs.add(r.uri().toString()));
    m.put("references", rs);
    m.put("metadata", new LinkedHashMap<>(metadata));
    return m;
  }

  @Override
  public String toString() {
    return "TraceletArtifact{name="
        + name
        + ", type="
        + type
        + ", files="
        + files.size()
        + ", objects="
        + objects.size()
        + ", references="
        + references.size()
        + '}';
  }

  private void requireFree(String artifactPath) {
    for (ArtifactFile f : files) {
      if (f.artifactPath().equals(artifactPath)) {
        throw new IllegalArgumentException(
            "artifact '" + name + "' already has an entry at '" + artifactPath + "'");
      }
    }
    for (ArtifactObject o : objects) {
      if (o.name().equals(artifactPath)) {
        throw new IllegalArgumentException(
            "artifact '" + name + "' already has an entry at '" + artifactPath + "'");
      }
    }
  }

  /** Lower-case hex SHA-256 of a file, streamed. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
