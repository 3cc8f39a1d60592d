package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.http.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** MLflow's tracking calls that both the writing session and the read side need. */
final class MlflowTracking {
  static final String TRACELET_RUN_ID_TAG = "tracelet.run_id";

  private final MlflowApi api;

  MlflowTracking(MlflowApi api) {
    this.api = api;
  }

  MlflowApi api() {
    return api;
  }

  /** The experiment called {@code name}, deleted ones included; empty if there is none. */
  Optional<ObjectNode> experimentByName(String name) {
    try {
      return Optional.of(
          (ObjectNode)
              api.get("experiments/get-by-name", Map.of("experiment_name", name))
                  .path("experiment"));
    } catch (MlflowApiException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  Optional<ObjectNode> experimentById(String id) {
    try {
      return Optional.of(
          (ObjectNode) api.get("experiments/get", Map.of("experiment_id", id)).path("experiment"));
    } catch (MlflowApiException e) {
      if (e.status() == 404 || e.is("INVALID_PARAMETER_VALUE")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The id of the experiment called {@code name}, created if missing. Safe against a concurrent
   * creator: MLflow answers the loser's create with 400 RESOURCE_ALREADY_EXISTS, and the loser
   * reads the winner's experiment.
   */
  String getOrCreateExperiment(String name) {
    if (name.isEmpty()
        || name.codePointCount(0, name.length()) > MlflowNames.MAX_EXPERIMENT_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "MLflow experiment names must be 1-500 characters; '"
              + MlflowNames.printable(name)
              + "' is not");
    }
    Optional<ObjectNode> found = experimentByName(name);
    if (found.isEmpty()) {
      try {
        ObjectNode body = api.json().newObject().put("name", name);
        return api.post("experiments/create", body).path("experiment_id").asText();
      } catch (MlflowApiException e) {
        if (!e.is("RESOURCE_ALREADY_EXISTS")) {
          throw e;
        }
        found = experimentByName(name);
        if (found.isEmpty()) {
          throw e;
        }
      }
    }
    ObjectNode exp = found.get();
    if ("deleted".equals(exp.path("lifecycle_stage").asText())) {
      throw new BackendException(
          MlflowBackendPlugin.NAME,
          "MLflow experiment '"
              + name
              + "' (id "
              + exp.path("experiment_id").asText()
              + ") is deleted. Restore it (mlflow experiments restore), delete it for good"
              + " (mlflow gc), or log to another project.");
    }
    return exp.path("experiment_id").asText();
  }

  /** {@code runs/get}; empty when the run does not exist. */
  Optional<ObjectNode> getRun(String runId) {
    try {
      return Optional.of((ObjectNode) api.get("runs/get", Map.of("run_id", runId)).path("run"));
    } catch (MlflowApiException e) {
      if (e.status() == 404 || e.is("RESOURCE_DOES_NOT_EXIST")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  ObjectNode createRun(
      String experimentId, String runName, long startTime, Map<String, String> tags) {
    ObjectNode body = api.json().newObject();
    body.put("experiment_id", experimentId);
    body.put("run_name", runName);
    body.put("start_time", startTime);
    ArrayNode t = body.putArray("tags");
    tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
    return (ObjectNode) api.post("runs/create", body).path("run");
  }

  void updateRun(String runId, RunStatus status, @Nullable Long endTime) {
    ObjectNode body = api.json().newObject();
    body.put("run_id", runId);
    body.put("status", status.name());
    if (endTime != null) {
      body.put("end_time", endTime);
    }
    api.post("runs/update", body);
  }

  void setTag(String runId, String key, String value) {
    api.post(
        "runs/set-tag",
        api.json().newObject().put("run_id", runId).put("key", key).put("value", value));
  }

  /** Every run of the experiments matching {@code filter} (may be null), page by page. */
  List<ObjectNode> searchRuns(
      List<String> experimentIds, @Nullable String filter, String viewType) {
    List<ObjectNode> out = new ArrayList<>();
    String token = null;
    do {
      ObjectNode body = api.json().newObject();
      ArrayNode ids = body.putArray("experiment_ids");
      experimentIds.forEach(ids::add);
      if (filter != null) {
        body.put("filter", filter);
      }
      body.put("run_view_type", viewType);
      body.put("max_results", 1000);
      if (token != null) {
        body.put("page_token", token);
      }
      ObjectNode r = api.post("runs/search", body);
      r.path("runs").forEach(n -> out.add((ObjectNode) n));
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    return out;
  }

  /** Every experiment (active ones, or all), page by page. */
  List<ObjectNode> searchExperiments(String viewType) {
    List<ObjectNode> out = new ArrayList<>();
    String token = null;
    do {
      ObjectNode body = api.json().newObject();
      body.put("max_results", 1000);
      body.put("view_type", viewType);
      if (token != null) {
        body.put("page_token", token);
      }
      ObjectNode r = api.post("experiments/search", body);
      r.path("experiments").forEach(n -> out.add((ObjectNode) n));
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    return out;
  }

  /** The MLflow run carrying Tracelet's run id as its {@code tracelet.run_id} tag, if any. */
  Optional<ObjectNode> findByTraceletRunId(List<String> experimentIds, String traceletRunId) {
    if (experimentIds.isEmpty() || !traceletRunId.matches("[0-9a-fA-F-]{1,64}")) {
      return Optional.empty();
    }
    List<ObjectNode> runs =
        searchRuns(
            experimentIds,
            "tags.`" + TRACELET_RUN_ID_TAG + "` = '" + traceletRunId + "'",
            "ACTIVE_ONLY");
    return runs.stream().findFirst();
  }

  /** Every point of a metric, page by page. */
  List<JsonNode> metricHistory(String runId, String key) {
    List<JsonNode> out = new ArrayList<>();
    String token = null;
    do {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      q.put("metric_key", key);
      q.put("max_results", 25_000);
      if (token != null) {
        q.put("page_token", token);
      }
      ObjectNode r = api.get("metrics/get-history", q);
      r.path("metrics").forEach(out::add);
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    return out;
  }

  static Map<String, String> keyValues(JsonNode array) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode n : array) {
      out.put(n.path("key").asText(), n.path("value").asText(""));
    }
    return out;
  }

  static Map<String, Double> latestMetrics(JsonNode array) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (JsonNode n : array) {
      out.put(n.path("key").asText(), JsonCodec.readDouble(n.path("value")));
    }
    return out;
  }
}
