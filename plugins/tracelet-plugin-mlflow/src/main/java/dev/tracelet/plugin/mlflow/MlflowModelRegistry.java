package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.ModelNotFoundException;
import dev.tracelet.api.ModelVersionNotFoundException;
import dev.tracelet.api.NoVersionsFoundException;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.Sort;
import dev.tracelet.http.JsonCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow's model registry. A version's source is {@code runs:/<mlflow run id>/<artifact name>};
 * {@link #registerModel} returns only once the version is READY. Unlike the local store, MLflow
 * does not copy the files on registration: the version points at the run's artifact. Thread-safe.
 */
final class MlflowModelRegistry implements ModelRegistry {

  private final MlflowRunStore store;
  private final MlflowTracking tracking;
  private final MlflowArtifacts artifacts;
  private final MlflowConfig config;
  private final Path scratch;

  MlflowModelRegistry(
      MlflowRunStore store,
      MlflowTracking tracking,
      MlflowArtifacts artifacts,
      MlflowConfig config,
      Path scratch) {
    this.store = store;
    this.tracking = tracking;
    this.artifacts = artifacts;
    this.config = config;
    this.scratch = scratch;
  }

  private MlflowApi api() {
    return tracking.api();
  }

  @Override
  public String registerModel(
      String runId, String artifactName, String modelName, Map<String, String> tags) {
    String mlflowRunId = store.requireMlflowRunId(runId);
    if (artifacts.list(mlflowRunId, artifactName).isEmpty()) {
      throw new ArtifactNotFoundException(
          "MLflow run "
              + mlflowRunId
              + " has no artifact '"
              + artifactName
              + "' to register; log it first with Experiment.logArtifact");
    }
    tags.keySet()
        .forEach(
            k ->
                MlflowNames.keyProblem("model tag", k)
                    .ifPresent(
                        p -> {
                          throw new IllegalArgumentException(p);
                        }));
    try {
      api().post("registered-models/create", api().json().newObject().put("name", modelName));
    } catch (MlflowApiException e) {
      if (!e.is("RESOURCE_ALREADY_EXISTS")) {
        throw e;
      }
    }
    ObjectNode body = api().json().newObject();
    body.put("name", modelName);
    body.put("source", "runs:/" + mlflowRunId + "/" + artifactName);
    body.put("run_id", mlflowRunId);
    ArrayNode t = body.putArray("tags");
    tags.forEach(
        (k, v) ->
            t.addObject()
                .put("key", k)
                .put("value", MlflowNames.truncate(v, MlflowNames.MAX_TAG_VALUE_LENGTH)));
    JsonNode version = api().post("model-versions/create", body).path("model_version");
    return awaitReady(modelName, version.path("version").asText(), version);
  }

  /** Polls until the server has finished copying the version (READY) or gives up. */
  private String awaitReady(String name, String version, JsonNode first) {
    long deadline = System.nanoTime() + config.modelVersionTimeout.toNanos();
    JsonNode v = first;
    long pause = 100;
    while (true) {
      String status = v.path("status").asText("READY");
      if (status.equals("READY")) {
        return version;
      }
      if (status.equals("FAILED_REGISTRATION")) {
        throw new BackendException(
            MlflowBackendPlugin.NAME,
            "MLflow could not register version "
                + version
                + " of model '"
                + name
                + "': "
                + v.path("status_message").asText("no reason given"));
      }
      if (System.nanoTime() > deadline) {
        throw new BackendException(
            MlflowBackendPlugin.NAME,
            "Version "
                + version
                + " of model '"
                + name
                + "' is still "
                + status
                + " after "
                + config.modelVersionTimeout
                + "; raise mlflow.model_version_timeout or check the server");
      }
      try {
        Thread.sleep(pause); // the server offers no notification; poll with a growing pause
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException(
            MlflowBackendPlugin.NAME, "Interrupted while waiting for model version", e);
      }
      pause = Math.min(pause * 2, 2_000);
      v = getVersion(name, version);
    }
  }

  @Override
  public List<String> listRegisteredModels() {
    List<String> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("max_results", 1000);
      if (token != null) {
        q.put("page_token", token);
      }
      ObjectNode r = api().get("registered-models/search", q);
      r.path("registered_models").forEach(m -> out.add(m.path("name").asText()));
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    return out;
  }

  private ObjectNode registeredModel(String name) {
    try {
      return (ObjectNode)
          api().get("registered-models/get", Map.of("name", name)).path("registered_model");
    } catch (MlflowApiException e) {
      if (e.status() == 404 || e.is("RESOURCE_DOES_NOT_EXIST")) {
        throw new ModelNotFoundException(
            "No registered model is called '" + name + "'; listRegisteredModels() names them");
      }
      throw e;
    }
  }

  @Override
  public List<ModelVersion> modelVersions(String modelName, Sort sort) {
    sort.requireValid(Sort.VERSION_FIELDS);
    ObjectNode model = registeredModel(modelName);
    Map<String, List<String>> aliases = new LinkedHashMap<>();
    for (JsonNode a : model.path("aliases")) {
      aliases
          .computeIfAbsent(a.path("version").asText(), k -> new ArrayList<>())
          .add(a.path("alias").asText());
    }
    List<ModelVersion> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("filter", "name = '" + modelName.replace("'", "\\'") + "'");
      q.put("max_results", 1000);
      if (token != null) {
        q.put("page_token", token);
      }
      ObjectNode r = api().get("model-versions/search", q);
      for (JsonNode v : r.path("model_versions")) {
        out.add(toVersion(v, aliases.getOrDefault(v.path("version").asText(), List.of())));
      }
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    Sort effective = sort.isNone() ? Sort.by("version").descending() : sort;
    return MlflowRunStore.sorted(
        out,
        effective,
        f -> f.equals("version") ? v -> Long.parseLong(v.version()) : ModelVersion::registeredAt);
  }

  private static ModelVersion toVersion(JsonNode v, List<String> aliases) {
    List<String> all = new ArrayList<>(aliases);
    for (JsonNode a : v.path("aliases")) {
      if (!all.contains(a.asText())) {
        all.add(a.asText());
      }
    }
    return new ModelVersion(
        v.path("name").asText(),
        v.path("version").asText(),
        v.path("run_id").asText(""),
        Instant.ofEpochMilli(JsonCodec.readLong(v.path("creation_timestamp"))),
        MlflowTracking.keyValues(v.path("tags")),
        all);
  }

  /** A version number from a number, "latest" or an alias. */
  String resolveVersion(String modelName, String version) {
    if (version.matches("\\d+")) {
      getVersion(modelName, version);
      return version;
    }
    if (version.equalsIgnoreCase("latest")) {
      List<ModelVersion> all = modelVersions(modelName, Sort.none());
      if (all.isEmpty()) {
        throw new NoVersionsFoundException(
            "Registered model '" + modelName + "' has no versions yet");
      }
      return all.get(0).version();
    }
    registeredModel(modelName);
    try {
      return api()
          .get("registered-models/alias", Map.of("name", modelName, "alias", version))
          .path("model_version")
          .path("version")
          .asText();
    } catch (MlflowApiException e) {
      if (e.status() == 404 || e.status() == 400) {
        throw new ModelVersionNotFoundException(
            "Model '" + modelName + "' has no version or alias '" + version + "'");
      }
      throw e;
    }
  }

  private ObjectNode getVersion(String name, String version) {
    try {
      return (ObjectNode)
          api()
              .get("model-versions/get", Map.of("name", name, "version", version))
              .path("model_version");
    } catch (MlflowApiException e) {
      if (e.status() == 404 || e.is("RESOURCE_DOES_NOT_EXIST")) {
        registeredModel(name); // throws ModelNotFoundException when the model itself is missing
        throw new ModelVersionNotFoundException("Model '" + name + "' has no version " + version);
      }
      throw e;
    }
  }

  @Override
  public Map<String, String> modelTags(String modelName, String version) {
    String v = resolveVersion(modelName, version);
    return MlflowTracking.keyValues(getVersion(modelName, v).path("tags"));
  }

  @Override
  public void addModelTags(String modelName, String version, Map<String, String> tags) {
    String v = resolveVersion(modelName, version);
    tags.forEach(
        (k, value) -> {
          MlflowNames.keyProblem("model tag", k)
              .ifPresent(
                  p -> {
                    throw new IllegalArgumentException(p);
                  });
          api()
              .post(
                  "model-versions/set-tag",
                  api()
                      .json()
                      .newObject()
                      .put("name", modelName)
                      .put("version", v)
                      .put("key", k)
                      .put("value", MlflowNames.truncate(value, MlflowNames.MAX_TAG_VALUE_LENGTH)));
        });
  }

  @Override
  public void removeModelTags(String modelName, String version, Collection<String> keys) {
    String v = resolveVersion(modelName, version);
    for (String k : keys) {
      try {
        api()
            .send(
                "DELETE",
                "model-versions/delete-tag",
                api().json().newObject().put("name", modelName).put("version", v).put("key", k));
      } catch (MlflowApiException e) {
        if (e.status() != 404 && !e.is("RESOURCE_DOES_NOT_EXIST")) {
          throw e;
        }
      }
    }
  }

  @Override
  public void setAlias(String modelName, String alias, String version) {
    MlflowNames.aliasProblem(alias)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    String v = resolveVersion(modelName, version);
    api()
        .post(
            "registered-models/alias",
            api().json().newObject().put("name", modelName).put("alias", alias).put("version", v));
  }

  @Override
  public void deleteAlias(String modelName, String alias) {
    try {
      api()
          .send(
              "DELETE",
              "registered-models/alias",
              api().json().newObject().put("name", modelName).put("alias", alias));
    } catch (MlflowApiException e) {
      if (e.status() != 404 && !e.is("RESOURCE_DOES_NOT_EXIST")) {
        throw e;
      }
    }
  }

  @Override
  public Path loadRegisteredModel(String modelName, String version) {
    String v = resolveVersion(modelName, version);
    ObjectNode mv = getVersion(modelName, v);
    String source = mv.path("source").asText();
    String runId;
    String path;
    if (source.startsWith("runs:/")) {
      String rest = source.substring("runs:/".length());
      int slash = rest.indexOf('/');
      runId = slash < 0 ? rest : rest.substring(0, slash);
      path = slash < 0 ? "" : rest.substring(slash + 1);
    } else {
      runId = mv.path("run_id").asText();
      String marker = "/" + runId + "/artifacts/";
      int at = source.indexOf(marker);
      if (runId.isEmpty() || at < 0) {
        throw new BackendException(
            MlflowBackendPlugin.NAME,
            "Version "
                + v
                + " of model '"
                + modelName
                + "' has source '"
                + source
                + "', which is not a run's artifact; Tracelet can download runs:/ sources and"
                + " mlflow-artifacts URIs of runs only");
      }
      path = source.substring(at + marker.length());
    }
    ObjectNode run =
        store
            .findRun(runId)
            .orElseThrow(
                () ->
                    new ArtifactNotFoundException(
                        "Model '"
                            + modelName
                            + "' version "
                            + v
                            + " points at run "
                            + runId
                            + ", which is gone"));
    Path target =
        scratch
            .resolve("mlflow-models")
            .resolve(safe(modelName))
            .resolve(v)
            .resolve(path.isEmpty() ? "model" : path);
    Path got =
        artifacts.download(runId, run.path("info").path("artifact_uri").asText(), path, target);
    if (got == null) {
      throw new ArtifactNotFoundException(
          "Model '"
              + modelName
              + "' version "
              + v
              + ": run "
              + runId
              + " has no files at '"
              + path
              + "'");
    }
    return got;
  }

  private static String safe(String name) {
    return name.replaceAll("[^\\w.\\-]", "_");
  }
}
