package dev.tracelet.plugin.clearml.stub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task as the stub holds it. Read it through {@link ClearmlStubServer#task(String)}, which hands
 * out a snapshot; the stub mutates its own copy under its lock.
 */
public final class StubTask {
  final String id;
  final String name;
  final String type;
  final String projectId;
  final List<String> tags;
  String status = "created";
  String statusReason = "";
  String statusMessage = "";
  int pings;
  // section -> name -> params_item
  final Map<String, Map<String, JsonNode>> hyperparams = new LinkedHashMap<>();
  // "key/mode" -> artifact
  final Map<String, JsonNode> artifacts = new LinkedHashMap<>();
  final List<String> statusHistory = new ArrayList<>();

  StubTask(String id, String name, String type, String projectId, List<String> tags) {
    this.id = id;
    this.name = name;
    this.type = type;
    this.projectId = projectId;
    this.tags = List.copyOf(tags);
    statusHistory.add(status);
  }

  private StubTask(StubTask o) {
    this(o.id, o.name, o.type, o.projectId, o.tags);
    status = o.status;
    statusReason = o.statusReason;
    statusMessage = o.statusMessage;
    pings = o.pings;
    o.hyperparams.forEach((s, items) -> hyperparams.put(s, new LinkedHashMap<>(items)));
    artifacts.putAll(o.artifacts);
    statusHistory.clear();
    statusHistory.addAll(o.statusHistory);
  }

  StubTask snapshot() {
    return new StubTask(this);
  }

  void setStatus(String s) {
    status = s;
    statusHistory.add(s);
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public String projectId() {
    return projectId;
  }

  public List<String> tags() {
    return tags;
  }

  /** {@code created}, {@code in_progress}, {@code completed}, {@code failed}, {@code stopped}, … */
  public String status() {
    return status;
  }

  /** Every status the task had, in order, starting with {@code created}. */
  public List<String> statusHistory() {
    return List.copyOf(statusHistory);
  }

  public String statusReason() {
    return statusReason;
  }

  public String statusMessage() {
    return statusMessage;
  }

  public int pings() {
    return pings;
  }

  /** The values of one hyperparameter section, by name (empty if there is no such section). */
  public Map<String, String> section(String section) {
    Map<String, String> values = new LinkedHashMap<>();
    hyperparams
        .getOrDefault(section, Map.of())
        .forEach((k, v) -> values.put(k, v.path("value").asText()));
    return values;
  }

  /**
   * One hyperparameter item as stored ({@code section}, {@code name}, {@code value}, {@code type}).
   */
  public JsonNode item(String section, String name) {
    JsonNode n = hyperparams.getOrDefault(section, Map.of()).get(name);
    if (n == null) {
      throw new IllegalArgumentException(
          "task " + id + " has no hyperparameter " + section + "/" + name);
    }
    return n;
  }

  /** The registered artifacts, in registration order (a re-registered key keeps its place). */
  public List<JsonNode> artifacts() {
    return List.copyOf(artifacts.values());
  }
}
