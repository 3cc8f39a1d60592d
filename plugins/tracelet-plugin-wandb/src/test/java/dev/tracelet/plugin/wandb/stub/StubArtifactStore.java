package dev.tracelet.plugin.wandb.stub;

import static dev.tracelet.plugin.wandb.stub.StubReplies.data;
import static dev.tracelet.plugin.wandb.stub.StubReplies.key;
import static dev.tracelet.plugin.wandb.stub.StubReplies.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.plugin.wandb.stub.StubBackend.Response;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The stub's artifact side: {@code CreateArtifact} (with digest deduplication), {@code
 * CreateArtifactManifest}, {@code CreateArtifactFiles} (no upload URL for content it holds), the
 * signed-URL uploads of files and manifests, and {@code CommitArtifact}, each as strict as W&amp;B.
 * Content is stored by MD5, as W&amp;B's V2 storage layout does. Used under the {@link
 * StubBackend}'s lock.
 */
final class StubArtifactStore {
  private final StubReplies replies;
  private final Predicate<String> runExists;
  private final String uploadToken = UUID.randomUUID().toString();
  private final Map<String, byte[]> storage = new LinkedHashMap<>();
  private final Map<String, ArtifactState> artifacts = new LinkedHashMap<>();
  private String baseUrl = "";
  private int nextId = 1;
  private int fileUploads;

  /**
   * @param runExists whether a run {@code entity/project/name} exists
   */
  StubArtifactStore(StubReplies replies, Predicate<String> runExists) {
    this.replies = replies;
    this.runExists = runExists;
  }

  void baseUrl(String url) {
    this.baseUrl = url;
  }

  int fileUploads() {
    return fileUploads;
  }

  void reset() {
    storage.clear();
    artifacts.clear();
    fileUploads = 0;
  }

  Response createArtifact(String query, ObjectNode v) {
    if (!query.contains("MANIFEST_MD5") || !query.contains("enableDigestDeduplication: true")) {
      return replies.gqlReject(
          "CreateArtifact must use digestAlgorithm MANIFEST_MD5 with deduplication");
    }
    for (String required :
        List.of(
            "entityName",
            "projectName",
            "artifactTypeName",
            "artifactCollectionName",
            "digest",
            "clientID",
            "sequenceClientID")) {
      if (text(v, required) == null) {
        return replies.gqlReject("CreateArtifact needs " + required);
      }
    }
    String runName = text(v, "runName");
    String entity = text(v, "entityName");
    String project = text(v, "projectName");
    if (runName != null && !runExists.test(key(entity, project, runName))) {
      return replies.gqlReject("CreateArtifact names run " + runName + " that does not exist");
    }
    if (v.has("metadata") && !v.get("metadata").isNull()) {
      if (!v.get("metadata").isTextual() || StubRules.object(v.get("metadata").asText()) == null) {
        return replies.gqlReject("metadata must be a JSON string of an object");
      }
    }
    String collection = text(v, "artifactCollectionName");
    if (!collection.matches("[A-Za-z0-9_.-]+")) {
      return replies.gqlReject("artifact name '" + collection + "' has characters W&B refuses");
    }
    String digest = text(v, "digest");
    for (ArtifactState a : artifacts.values()) {
      if (a.committed
          && a.collectionKey().equals(key(entity, project, collection))
          && a.digest.equals(digest)) {
        return data(artifactPayload("createArtifact", a));
      }
    }
    ArtifactState a =
        new ArtifactState(
            "art-" + nextId++,
            entity,
            project,
            collection,
            text(v, "artifactTypeName"),
            digest,
            runName == null ? null : key(entity, project, runName));
    artifacts.put(a.id, a);
    return data(artifactPayload("createArtifact", a));
  }

  private static ObjectNode artifactPayload(String field, ArtifactState a) {
    ObjectNode data = StubRules.object();
    ObjectNode art = data.putObject(field).putObject("artifact");
    art.put("id", a.id);
    art.put("state", a.committed ? "COMMITTED" : "PENDING");
    art.put("digest", a.digest);
    if (a.committed) {
      art.put("versionIndex", a.versionIndex);
    } else {
      art.putNull("versionIndex");
    }
    return data;
  }

  Response createManifest(ObjectNode v) {
    ArtifactState a = artifacts.get(text(v, "artifactID"));
    if (a == null || a.committed) {
      return replies.gqlReject("CreateArtifactManifest for an unknown or committed artifact");
    }
    if (!"FULL".equals(text(v, "manifestType"))
        || !"wandb_manifest.json".equals(text(v, "name"))
        || !v.path("includeUpload").asBoolean(false)) {
      return replies.gqlReject(
          "CreateArtifactManifest wants name wandb_manifest.json, type FULL, upload");
    }
    String digest = text(v, "digest");
    if (digest == null || !StubRules.isBase64Md5(digest)) {
      return replies.gqlReject("CreateArtifactManifest needs the manifest's base64 MD5 as digest");
    }
    a.manifestId = "manifest-" + nextId++;
    a.manifestDigest = digest;
    ObjectNode data = StubRules.object();
    ObjectNode m = data.putObject("createArtifactManifest").putObject("artifactManifest");
    m.put("id", a.manifestId);
    ObjectNode file = m.putObject("file");
    file.put("id", "file-" + a.manifestId);
    file.put("uploadUrl", baseUrl + "/storage/manifests/" + a.id);
    file.putArray("uploadHeaders").add("Content-Type:application/json");
    return data(data);
  }

  Response createFiles(ObjectNode v) {
    JsonNode input = v.path("input");
    JsonNode specs = input.path("artifactFiles");
    if (!specs.isArray() || !"V2".equals(input.path("storageLayout").asText())) {
      return replies.gqlReject(
          "CreateArtifactFiles needs input.artifactFiles and storageLayout V2");
    }
    ObjectNode data = StubRules.object();
    ArrayNode edges = data.putObject("createArtifactFiles").putObject("files").putArray("edges");
    for (JsonNode s : specs) {
      ArtifactState a = artifacts.get(s.path("artifactID").asText());
      if (a == null || a.committed || a.manifestId == null) {
        return replies.gqlReject("CreateArtifactFiles for an artifact without a manifest");
      }
      if (!a.manifestId.equals(s.path("artifactManifestID").asText())) {
        return replies.gqlReject("CreateArtifactFiles names another manifest");
      }
      String name = s.path("name").asText("");
      String md5 = s.path("md5").asText("");
      if (name.isEmpty() || !StubRules.isBase64Md5(md5)) {
        return replies.gqlReject("CreateArtifactFiles entry needs a name and a base64 MD5");
      }
      ObjectNode node = edges.addObject().putObject("node");
      node.put("name", name);
      if (storage.containsKey(md5)) {
        node.putNull("uploadUrl");
        node.putArray("uploadHeaders");
      } else {
        String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(md5));
        node.put("uploadUrl", baseUrl + "/storage/files/" + hex);
        node.putArray("uploadHeaders")
            .add("Content-Type:application/octet-stream")
            .add("X-Stub-Upload-Token:" + uploadToken);
      }
      node.putObject("artifact").put("id", a.id);
    }
    return data(data);
  }

  Response putFile(StubBackend.Request r, String hex) {
    if (r.header("authorization") != null) {
      return replies.reject(400, "an upload to a signed URL carried an Authorization header");
    }
    if (!uploadToken.equals(r.header("x-stub-upload-token"))) {
      return replies.reject(403, "upload without the uploadHeaders the server gave");
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return replies.reject(404, "no such upload URL");
    }
    if (!java.util.Arrays.equals(expected, StubRules.md5(r.body()))) {
      return replies.reject(400, "uploaded bytes do not match the declared MD5");
    }
    storage.put(Base64.getEncoder().encodeToString(expected), r.body().clone());
    fileUploads++;
    return new StubBackend.Response(200, "", Map.of(), false);
  }

  Response putManifest(StubBackend.Request r, String artifactId) {
    if (r.header("authorization") != null) {
      return replies.reject(400, "an upload to a signed URL carried an Authorization header");
    }
    ArtifactState a = artifacts.get(artifactId);
    if (a == null || a.manifestDigest == null) {
      return replies.reject(404, "no manifest upload URL for " + artifactId);
    }
    if (!a.manifestDigest.equals(StubRules.b64md5(r.body()))) {
      return replies.reject(
          400, "manifest bytes do not match the digest given to CreateArtifactManifest");
    }
    JsonNode manifest;
    try {
      manifest = StubRules.JSON.readTree(r.body());
    } catch (java.io.IOException e) {
      return replies.reject(400, "manifest is not JSON");
    }
    String p = StubRules.manifest(manifest);
    if (p != null) {
      return replies.reject(400, p);
    }
    String computed = StubRules.artifactDigest((ObjectNode) manifest.get("contents"));
    if (!computed.equals(a.digest)) {
      return replies.reject(
          400,
          "manifest entries give digest "
              + computed
              + ", the artifact was created with "
              + a.digest);
    }
    a.manifest = (ObjectNode) manifest;
    return new StubBackend.Response(200, "", Map.of(), false);
  }

  Response commitArtifact(ObjectNode v) {
    ArtifactState a = artifacts.get(text(v, "artifactID"));
    if (a == null || a.committed) {
      return replies.gqlReject("CommitArtifact for an unknown or committed artifact");
    }
    if (a.manifest == null) {
      return replies.gqlReject("CommitArtifact before the manifest was uploaded");
    }
    var it = a.manifest.get("contents").properties().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().has("ref") && !storage.containsKey(e.getValue().get("digest").asText())) {
        return replies.gqlReject("CommitArtifact before file '" + e.getKey() + "' was uploaded");
      }
    }
    int version = 0;
    for (ArtifactState other : artifacts.values()) {
      if (other.committed && other.collectionKey().equals(a.collectionKey())) {
        version++;
      }
    }
    a.committed = true;
    a.versionIndex = version;
    return data(artifactPayload("commitArtifact", a));
  }

  /** Every artifact logged by the run {@code runKey}, with the bytes the stub holds for it. */
  List<StubArtifact> of(String runKey) {
    List<StubArtifact> arts = new ArrayList<>();
    for (ArtifactState a : artifacts.values()) {
      if (!runKey.equals(a.runKey)) {
        continue;
      }
      Map<String, byte[]> files = new LinkedHashMap<>();
      Map<String, String> refs = new LinkedHashMap<>();
      if (a.manifest != null) {
        a.manifest
            .get("contents")
            .properties()
            .forEach(
                e -> {
                  JsonNode entry = e.getValue();
                  if (entry.has("ref")) {
                    refs.put(e.getKey(), entry.get("ref").asText());
                  } else {
                    byte[] b = storage.get(entry.get("digest").asText());
                    if (b != null) {
                      files.put(e.getKey(), b);
                    }
                  }
                });
      }
      arts.add(
          new StubArtifact(
              a.collection,
              a.type,
              a.committed ? a.versionIndex : -1,
              a.digest,
              a.committed,
              files,
              refs));
    }
    return arts;
  }

  private static final class ArtifactState {
    final String id;
    final String entity;
    final String project;
    final String collection;
    final String type;
    final String digest;
    final @Nullable String runKey;
    boolean committed;
    int versionIndex = -1;
    @Nullable String manifestId;
    @Nullable String manifestDigest;
    @Nullable ObjectNode manifest;

    ArtifactState(
        String id,
        String entity,
        String project,
        String collection,
        String type,
        String digest,
        @Nullable String runKey) {
      this.id = id;
      this.entity = entity;
      this.project = project;
      this.collection = collection;
      this.type = type;
      this.digest = digest;
      this.runKey = runKey;
    }

    String collectionKey() {
      return key(entity, project, collection);
    }
  }
}
