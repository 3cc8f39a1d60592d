package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.HttpResponseException;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.http.RetryingCaller;
import dev.tracelet.http.SafeUrls;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Uploads one artifact the way W&amp;B's SDK does: {@code CreateArtifact} (digest deduplication on:
 * an artifact whose content the server already has comes back {@code COMMITTED} and nothing else is
 * sent), {@code CreateArtifactManifest}, {@code CreateArtifactFiles} (a null upload URL means the
 * server already has that file's content, so it is not uploaded again), a {@code PUT} of each
 * remaining file and of the manifest to their signed URLs, then {@code CommitArtifact}. Signed URLs
 * are called without the API key. Used from one thread at a time.
 */
final class ArtifactUploader {
  /** Files per {@code CreateArtifactFiles} call, as wandb-core batches them. */
  private static final int FILES_PER_CALL = 1_000;

  private final GraphqlClient graphql;
  private final RetryingCaller uploads;
  private final JsonCodec codec;
  private final System.Logger logger;

  ArtifactUploader(
      GraphqlClient graphql, RetryingCaller uploads, JsonCodec codec, System.Logger logger) {
    this.graphql = graphql;
    this.uploads = uploads;
    this.codec = codec;
    this.logger = logger;
  }

  ArtifactResult upload(RunPath run, TraceletArtifact artifact, ArtifactManifest manifest) {
    String collection = WandbNames.artifactName(artifact.name());
    ObjectNode created = createArtifact(run, artifact, collection, manifest);
    String artifactId = created.path("id").asText();
    if ("COMMITTED".equals(created.path("state").asText())) {
      logger.log(
          Level.INFO,
          "W&B already has artifact ''{0}'' with this content; no new version was made",
          collection);
      return result(run, artifact, collection, manifest, created, 0, 0);
    }
    ObjectNode manifestNode = createManifest(run, artifactId, manifest);
    String manifestId = manifestNode.path("id").asText();
    Map<String, JsonNode> targets = createFiles(artifactId, manifestId, manifest);
    int uploaded = 0;
    int reused = 0;
    for (ArtifactManifest.Entry e : manifest.entries()) {
      if (e.localPath() == null) {
        continue;
      }
      JsonNode target = targets.get(e.name());
      String url = target == null ? null : text(target.path("uploadUrl"));
      if (target == null || url == null) {
        reused++;
        continue;
      }
      put(
          url,
          target.path("uploadHeaders"),
          RequestBody.create(e.localPath().toFile(), null),
          e.name());
      uploaded++;
    }
    JsonNode file = manifestNode.path("file");
    String manifestUrl = text(file.path("uploadUrl"));
    if (manifestUrl == null) {
      throw new WandbRequestException(
          "CreateArtifactManifest gave no upload URL for artifact '" + collection + "'", 200, true);
    }
    put(
        manifestUrl,
        file.path("uploadHeaders"),
        RequestBody.create(manifest.json(), null),
        "wandb_manifest.json");
    ObjectNode vars = codec.newObject();
    vars.put("artifactID", artifactId);
    JsonNode committed =
        graphql
            .execute("CommitArtifact", GraphqlDocuments.COMMIT_ARTIFACT, vars)
            .path("commitArtifact")
            .path("artifact");
    ObjectNode merged = created.deepCopy();
    if (committed instanceof ObjectNode c) {
      merged.setAll(c);
    }
    return result(run, artifact, collection, manifest, merged, uploaded, reused);
  }

  private ObjectNode createArtifact(
      RunPath run, TraceletArtifact artifact, String collection, ArtifactManifest manifest) {
    ObjectNode vars = codec.newObject();
    vars.put("entityName", run.entity());
    vars.put("projectName", run.project());
    vars.put("artifactTypeName", artifact.type().value());
    vars.put("artifactCollectionName", collection);
    vars.put("runName", run.runName());
    vars.put("digest", manifest.digest());
    if (artifact.description() != null) {
      vars.put("description", artifact.description());
    }
    ArrayNode aliases = vars.putArray("aliases");
    aliases.addObject().put("artifactCollectionName", collection).put("alias", "latest");
    // W&B takes metadata as a JSON string inside the variables: encoded twice on purpose.
    vars.put("metadata", new String(codec.write(artifact.metadata()), StandardCharsets.UTF_8));
    vars.put("clientID", UUID.randomUUID().toString());
    vars.put("sequenceClientID", UUID.randomUUID().toString());
    JsonNode a =
        graphql
            .execute("CreateArtifact", GraphqlDocuments.CREATE_ARTIFACT, vars)
            .path("createArtifact")
            .path("artifact");
    if (!(a instanceof ObjectNode o) || text(o.path("id")) == null) {
      throw new WandbRequestException(
          "CreateArtifact answered without an artifact id for '" + collection + "'", 200, true);
    }
    return o;
  }

  private ObjectNode createManifest(RunPath run, String artifactId, ArtifactManifest manifest) {
    ObjectNode vars = codec.newObject();
    vars.put("artifactID", artifactId);
    vars.put("name", "wandb_manifest.json");
    vars.put("digest", manifest.jsonDigest());
    vars.put("entityName", run.entity());
    vars.put("projectName", run.project());
    vars.put("runName", run.runName());
    vars.put("manifestType", "FULL");
    vars.put("includeUpload", true);
    JsonNode m =
        graphql
            .execute("CreateArtifactManifest", GraphqlDocuments.CREATE_ARTIFACT_MANIFEST, vars)
            .path("createArtifactManifest")
            .path("artifactManifest");
    if (!(m instanceof ObjectNode o) || text(o.path("id")) == null) {
      throw new WandbRequestException(
          "CreateArtifactManifest answered without a manifest id", 200, true);
    }
    return o;
  }

  /**
   * Upload targets by file name: {@code {uploadUrl, uploadHeaders}}, a null URL meaning "have it".
   */
  private Map<String, JsonNode> createFiles(
      String artifactId, String manifestId, ArtifactManifest manifest) {
    List<ArtifactManifest.Entry> files = new ArrayList<>();
    for (ArtifactManifest.Entry e : manifest.entries()) {
      if (e.localPath() != null) {
        files.add(e);
      }
    }
    Map<String, JsonNode> targets = new HashMap<>();
    for (int from = 0; from < files.size(); from += FILES_PER_CALL) {
      List<ArtifactManifest.Entry> batch =
          files.subList(from, Math.min(files.size(), from + FILES_PER_CALL));
      ObjectNode vars = codec.newObject();
      ObjectNode input = vars.putObject("input");
      ArrayNode specs = input.putArray("artifactFiles");
      for (ArtifactManifest.Entry e : batch) {
        specs
            .addObject()
            .put("artifactID", artifactId)
            .put("name", e.name())
            .put("md5", e.digest())
            .put("artifactManifestID", manifestId);
      }
      input.put("storageLayout", "V2");
      JsonNode edges =
          graphql
              .execute("CreateArtifactFiles", GraphqlDocuments.CREATE_ARTIFACT_FILES, vars)
              .path("createArtifactFiles")
              .path("files")
              .path("edges");
      if (!edges.isArray() || edges.size() != batch.size()) {
        throw new WandbRequestException(
            "CreateArtifactFiles answered "
                + (edges.isArray() ? edges.size() : 0)
                + " files for "
                + batch.size(),
            200,
            true);
      }
      for (int i = 0; i < batch.size(); i++) {
        JsonNode node = edges.get(i).path("node");
        String asked = batch.get(i).name();
        String name = text(node.path("name"));
        // The answer lists files in the order asked; a name, when given, must agree, or a file
        // could be taken for one the server already has and never be uploaded.
        if (name != null && !name.equals(asked)) {
          throw new WandbRequestException(
              "CreateArtifactFiles answered file '" + name + "' where '" + asked + "' was asked",
              200,
              true);
        }
        targets.put(asked, node);
      }
    }
    return targets;
  }

  private void put(String url, JsonNode headers, RequestBody body, String what) {
    Request.Builder b = new Request.Builder().url(url).put(body);
    if (headers.isArray()) {
      for (JsonNode h : headers) {
        String line = h.asText();
        int colon = line.indexOf(':');
        if (colon > 0) {
          b.header(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
      }
    }
    Request request = b.build();
    try (Response response = uploads.execute(request)) {
      if (!response.isSuccessful()) {
        HttpResponseException e = HttpResponseException.of(response);
        throw new WandbRequestException(
            "upload of " + what + " failed: " + e.getMessage(),
            response.code(),
            !RetryingCaller.isRetryableStatus(response.code()));
      }
    } catch (IOException e) {
      if (HttpTransport.interrupted(e)) {
        throw new WandbRequestException("upload of " + what + " was interrupted", e);
      }
      throw new WandbRequestException(
          "upload of " + what + " to " + SafeUrls.redact(request.url()) + " failed: " + e, e);
    }
  }

  private static ArtifactResult result(
      RunPath run,
      TraceletArtifact artifact,
      String collection,
      ArtifactManifest manifest,
      ObjectNode attrs,
      int uploaded,
      int reused) {
    JsonNode index = attrs.path("versionIndex");
    String version = index.isIntegralNumber() ? "v" + index.asLong() : manifest.digest();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("id", attrs.path("id").asText());
    metadata.put("digest", manifest.digest());
    metadata.put("type", artifact.type().value());
    metadata.put("entity", run.entity());
    metadata.put("project", run.project());
    metadata.put("collection", collection);
    metadata.put("uploaded_files", uploaded);
    metadata.put("reused_files", reused);
    String uri =
        "wandb-artifact://" + run.entity() + "/" + run.project() + "/" + collection + ":" + version;
    return new ArtifactResult(WandbBackendPlugin.NAME, uri, version, metadata);
  }

  private static @Nullable String text(JsonNode node) {
    return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
  }
}
