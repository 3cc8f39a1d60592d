package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.MediaType;
import org.jspecify.annotations.Nullable;

/**
 * Stores a Tracelet artifact in ClearML: each file is uploaded to the file server under the task's
 * artifact folder, then every file (and every external reference, by its URI) is registered on the
 * task with {@code tasks.add_or_update_artifacts} in one call, with its size, SHA-256, type,
 * content type and creation time in seconds.
 *
 * <p>Keys: an artifact with one entry is registered under its name; with several, each entry under
 * {@code <name>/<path in artifact>}. ClearML keeps one artifact per key, so logging an artifact
 * under a name already used by this task replaces the earlier one; that is logged, never silent.
 * Used by one thread at a time (the session's).
 */
final class ArtifactUploader {
  private final ClearmlApi api;
  private final ClearmlTasks tasks;
  private final String taskId;
  private final String folder;
  private final System.Logger logger;
  private final JsonCodec json;
  private final Set<String> registeredKeys = new HashSet<>();

  ArtifactUploader(
      ClearmlApi api, ClearmlTasks tasks, String taskId, String folder, System.Logger logger) {
    this.api = api;
    this.tasks = tasks;
    this.taskId = taskId;
    this.folder = folder;
    this.logger = logger;
    this.json = api.json();
  }

  ArtifactResult upload(TraceletArtifact artifact) {
    List<ArtifactFile> files = artifact.files();
    List<ArtifactReference> references = artifact.references();
    if (files.isEmpty() && references.isEmpty()) {
      throw new IllegalArgumentException(
          "artifact '"
              + artifact.name()
              + "' has no file or reference to store"
              + (artifact.objects().isEmpty()
                  ? ""
                  : "; its objects must be written to files before they reach a backend"));
    }
    boolean single = files.size() + references.size() == 1;
    ArrayNode entries = json.mapper().createArrayNode();
    List<String> keys = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    List<String> fingerprint = new ArrayList<>();
    for (ArtifactFile file : files) {
      String sha256 = checkUnchanged(artifact, file);
      String path = folder + "/" + artifact.name() + "/" + file.artifactPath();
      String contentType = contentType(file.artifactPath());
      api.upload(path, file.localPath(), MediaType.get(contentType));
      String uri = api.fileUrl(path);
      String key = single ? artifact.name() : artifact.name() + "/" + file.artifactPath();
      ObjectNode entry = entry(artifact, key, uri, file.description());
      entry.put("content_size", file.sizeBytes());
      entry.put("hash", sha256);
      ((ObjectNode) entry.get("type_data")).put("content_type", contentType);
      display(entry, "artifact_path", file.artifactPath());
      display(entry, "sha256", sha256);
      entries.add(entry);
      keys.add(key);
      uris.add(uri);
      fingerprint.add(file.artifactPath() + ":" + sha256);
    }
    for (int i = 0; i < references.size(); i++) {
      ArtifactReference ref = references.get(i);
      String key = single ? artifact.name() : artifact.name() + "/" + referenceName(ref, i);
      ObjectNode entry = entry(artifact, key, ref.uri().toString(), ref.description());
      if (ref.sizeBytes() != null) {
        entry.put("content_size", ref.sizeBytes());
      }
      entries.add(entry);
      keys.add(key);
      uris.add(ref.uri().toString());
      fingerprint.add("reference:" + ref.uri());
    }
    tasks.addOrUpdateArtifacts(taskId, entries);
    for (String key : keys) {
      if (!registeredKeys.add(key)) {
        logger.log(
            System.Logger.Level.WARNING,
            "ClearML artifact ''{0}'' of task {1} was replaced by a newer one of the same name",
            key,
            taskId);
      }
    }
    // One file: its own digest, as ClearML's hash shows it; otherwise one over every entry.
    String version =
        single && !files.isEmpty() ? entries.get(0).path("hash").asText() : digest(fingerprint);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("task_id", taskId);
    metadata.put("keys", List.copyOf(keys));
    metadata.put("uris", List.copyOf(uris));
    String uri = single ? uris.get(0) : api.fileUrl(folder + "/" + artifact.name()) + "/";
    return new ArtifactResult(ClearmlBackendPlugin.NAME, uri, version, metadata);
  }

  private ObjectNode entry(
      TraceletArtifact artifact, String key, String uri, @Nullable String description) {
    ObjectNode e = json.newObject();
    e.put("key", key);
    e.put("type", artifact.type().value());
    e.put("mode", "output");
    e.put("uri", uri);
    // ClearML keeps artifact times in epoch seconds, unlike event times.
    e.put("timestamp", artifact.createdAt().getEpochSecond());
    ObjectNode typeData = e.putObject("type_data");
    String preview = description != null ? description : artifact.description();
    typeData.put("preview", preview == null ? "" : preview);
    e.putArray("display_data");
    display(e, "tracelet_artifact", artifact.name());
    return e;
  }

  private static void display(ObjectNode entry, String key, String value) {
    ((ArrayNode) entry.get("display_data")).addArray().add(key).add(value);
  }

  /** The file's SHA-256 now, which must be the one recorded when it was added to the artifact. */
  private static String checkUnchanged(TraceletArtifact artifact, ArtifactFile file) {
    String now;
    long size;
    try {
      size = Files.size(file.localPath());
      now = TraceletArtifact.sha256(file.localPath());
    } catch (IOException e) {
      throw new ArtifactNotFoundException(
          "file "
              + file.localPath()
              + " of artifact '"
              + artifact.name()
              + "' cannot be read any more: "
              + e,
          e);
    }
    if (size != file.sizeBytes() || !now.equals(file.checksum())) {
      throw new IllegalArgumentException(
          "file "
              + file.localPath()
              + " of artifact '"
              + artifact.name()
              + "' changed after it was added (size "
              + file.sizeBytes()
              + " → "
              + size
              + "); add it again once it is written completely");
    }
    return now;
  }

  static String contentType(String fileName) {
    String guessed = URLConnection.guessContentTypeFromName(fileName);
    if (guessed == null || MediaType.parse(guessed) == null) {
      return "application/octet-stream";
    }
    return guessed;
  }

  private static String referenceName(ArtifactReference ref, int index) {
    String path = ref.uri().getPath();
    if (path != null) {
      String last = path.substring(path.lastIndexOf('/') + 1);
      if (!last.isEmpty()) {
        return last;
      }
    }
    return "reference-" + index;
  }

  private static String digest(List<String> lines) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        md.update((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
