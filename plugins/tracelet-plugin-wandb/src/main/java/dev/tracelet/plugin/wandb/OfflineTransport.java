package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline mode: nothing touches the network. Every request the online session would send is
 * appended to {@code <dir>/offline-run-<yyyyMMdd_HHmmss UTC>-<run id>/run-<run id>.jsonl} (see
 * {@link OfflineJournal}), and artifact files are copied next to it under {@code
 * artifacts/<n>-<name>/}, so a later sync can replay the run exactly. Record types: {@code
 * upsert_bucket} ({@code variables}: the UpsertBucket variables), {@code file_stream} ({@code
 * body}: the request body, offsets counted from the start of the run), {@code artifact} (manifest,
 * digest and the copied files). Used by one session.
 */
final class OfflineTransport implements RunTransport {
  private static final DateTimeFormatter DIR_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

  private final Path runDir;
  private final OfflineJournal journal;
  private final JsonCodec codec = new JsonCodec();
  private final String runId;
  private int artifacts;

  OfflineTransport(Path dir, String runId, Instant start, Clock clock) {
    this.runId = runId;
    this.runDir = dir.resolve("offline-run-" + DIR_TIME.format(start) + "-" + runId);
    try {
      this.journal = new OfflineJournal(runDir.resolve("run-" + runId + ".jsonl"), codec, clock);
    } catch (IOException e) {
      throw new BackendException(
          WandbBackendPlugin.NAME,
          "cannot create the offline run directory " + runDir.toAbsolutePath() + ": " + e,
          e);
    }
  }

  @Override
  public Bucket upsertRun(ObjectNode variables) {
    ObjectNode fields = codec.newObject();
    fields.set("variables", variables.deepCopy());
    append("upsert_bucket", fields);
    String entity = variables.path("entity").asText("");
    String project = variables.path("project").asText("");
    // Offsets start at 0: a sync to an existing run shifts them by its line counts.
    return new Bucket(
        "offline", new RunPath(entity, project, runId), true, 0, 0, 0, null, null, List.of());
  }

  @Override
  public FileStreamAnswer sendFileStream(RunPath run, ObjectNode body, boolean retry) {
    ObjectNode fields = codec.newObject();
    fields.set("body", body.deepCopy());
    append("file_stream", fields);
    return FileStreamAnswer.OK;
  }

  @Override
  public ArtifactResult saveArtifact(
      RunPath run, TraceletArtifact artifact, ArtifactManifest manifest) {
    String collection = WandbNames.artifactName(artifact.name());
    int n = ++artifacts;
    Path target = runDir.resolve("artifacts").resolve(String.format("%04d-%s", n, collection));
    ObjectNode fields = codec.newObject();
    fields.put("name", collection);
    fields.put("artifactType", artifact.type().value());
    if (artifact.description() != null) {
      fields.put("description", artifact.description());
    }
    fields.put("metadata", new String(codec.write(artifact.metadata()), StandardCharsets.UTF_8));
    fields.put("digest", manifest.digest());
    try {
      fields.set("manifest", codec.mapper().readTree(manifest.json()));
      ArrayNode files = fields.putArray("files");
      for (ArtifactManifest.Entry e : manifest.entries()) {
        Path source = e.localPath();
        if (source == null) {
          continue;
        }
        Path copy = target.resolve(e.name());
        Files.createDirectories(copy.getParent());
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        files
            .addObject()
            .put("name", e.name())
            .put("path", runDir.relativize(copy).toString().replace('\\', '/'))
            .put("md5", e.digest())
            .put("size", e.size());
      }
    } catch (IOException e) {
      throw new BackendException(
          WandbBackendPlugin.NAME,
          "cannot keep artifact '"
              + collection
              + "' offline in "
              + target.toAbsolutePath()
              + ": "
              + e,
          e);
    }
    append("artifact", fields);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("digest", manifest.digest());
    metadata.put("type", artifact.type().value());
    metadata.put("collection", collection);
    metadata.put("offline", true);
    return new ArtifactResult(
        WandbBackendPlugin.NAME,
        target.toAbsolutePath().toUri().toString(),
        "offline-" + n,
        metadata);
  }

  @Override
  public boolean online() {
    return false;
  }

  @Override
  public void close() {
    journal.close();
  }

  private void append(String type, ObjectNode fields) {
    try {
      journal.append(type, fields);
    } catch (UncheckedIOException e) {
      throw new BackendException(WandbBackendPlugin.NAME, e.getMessage(), e);
    }
  }
}
