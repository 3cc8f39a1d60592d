package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.http.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ClearML calls a run needs, with their bodies and the server's rules about them: projects
 * found by exact name, tasks created as {@value #TASK_TYPE} and moved through their statuses,
 * hyperparameters, artifacts and scalar events. Stateless apart from the {@link ClearmlApi} it
 * calls; thread-safe.
 */
final class ClearmlTasks {
  static final String TASK_TYPE = "training";

  private final ClearmlApi api;
  private final JsonCodec json;

  ClearmlTasks(ClearmlApi api) {
    this.api = api;
    this.json = api.json();
  }

  /**
   * The id of the project named exactly {@code name}, created if there is none. The server matches
   * {@code name} as a regular expression, so it is sent escaped and anchored, and the answers are
   * compared exactly once more (a server could match case-insensitively).
   */
  String projectId(String name) {
    Optional<String> found = findProject(name);
    if (found.isPresent()) {
      return found.get();
    }
    ObjectNode body = json.newObject();
    body.put("name", name);
    body.put("description", "Created by Tracelet");
    try {
      return requireId(api.call("projects.create", body), "projects.create");
    } catch (ClearmlApiException e) {
      if (e.is(400, 801)) {
        // Another process created it between our look-up and create: use theirs.
        return findProject(name).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  private Optional<String> findProject(String name) {
    ObjectNode body = json.newObject();
    body.put("name", exactNameRegex(name));
    body.putArray("only_fields").add("id").add("name");
    body.put("search_hidden", true);
    JsonNode projects = api.call("projects.get_all", body).path("projects");
    for (JsonNode p : projects) {
      if (name.equals(p.path("name").asText(null)) && !p.path("id").asText("").isEmpty()) {
        return Optional.of(p.path("id").asText());
      }
    }
    return Optional.empty();
  }

  /**
   * {@code ^<name>$} with every ASCII character that is not a letter, digit or {@code _} escaped.
   */
  static String exactNameRegex(String name) {
    StringBuilder b = new StringBuilder(name.length() + 8).append('^');
    name.codePoints()
        .forEach(
            c -> {
              boolean plain =
                  c >= 128
                      || (c >= 'a' && c <= 'z')
                      || (c >= 'A' && c <= 'Z')
                      || (c >= '0' && c <= '9')
                      || c == '_';
              if (!plain) {
                b.append('\\');
              }
              b.appendCodePoint(c);
            });
    return b.append('$').toString();
  }

  /** Creates a {@value #TASK_TYPE} task (status {@code created}) with its first hyperparameters. */
  String createTask(
      String projectId, String name, String comment, List<String> tags, List<ParamItem> params) {
    ObjectNode body = json.newObject();
    body.put("name", name);
    body.put("type", TASK_TYPE);
    body.put("project", projectId);
    body.put("comment", comment);
    ArrayNode tagArray = body.putArray("tags");
    tags.forEach(tagArray::add);
    ObjectNode sections = body.putObject("hyperparams");
    for (ParamItem p : params) {
      ObjectNode section =
          sections.has(p.section())
              ? (ObjectNode) sections.get(p.section())
              : sections.putObject(p.section());
      section.set(p.name(), p.toJson(json));
    }
    return requireId(api.call("tasks.create", body), "tasks.create");
  }

  /** {@code created} → {@code in_progress}. */
  void started(String taskId) {
    ObjectNode body = task(taskId);
    body.put("status_reason", "started by Tracelet");
    api.call("tasks.started", body);
  }

  /** Tells the server's watchdog the running task is alive. */
  void ping(String taskId) {
    api.call("tasks.ping", task(taskId));
  }

  /**
   * Sets hyperparameters on a running task, merged into what is there ({@code replace_hyperparams:
   * none}), in as many requests as it takes to keep each under {@code maxBytes}. {@code force} is
   * required once the task is {@code in_progress}.
   */
  void editHyperParams(String taskId, List<ParamItem> items, int maxBytes) {
    List<ArrayNode> requests = new ArrayList<>();
    ArrayNode current = json.mapper().createArrayNode();
    int size = 0;
    for (ParamItem item : items) {
      ObjectNode o = item.toJson(json);
      int itemSize = json.write(o).length + 1;
      if (current.size() > 0 && size + itemSize > maxBytes - 200) {
        requests.add(current);
        current = json.mapper().createArrayNode();
        size = 0;
      }
      current.add(o);
      size += itemSize;
    }
    if (current.size() > 0) {
      requests.add(current);
    }
    for (ArrayNode hyperparams : requests) {
      ObjectNode body = task(taskId);
      body.set("hyperparams", hyperparams);
      body.put("replace_hyperparams", "none");
      body.put("force", true);
      api.call("tasks.edit_hyper_params", body);
    }
  }

  /** Registers artifacts (or replaces those with the same key), as the SDK does: forced. */
  void addOrUpdateArtifacts(String taskId, ArrayNode artifacts) {
    ObjectNode body = task(taskId);
    body.set("artifacts", artifacts);
    body.put("force", true);
    api.call("tasks.add_or_update_artifacts", body);
  }

  /**
   * Sends one json-lines body of events and checks that every one was added.
   *
   * @throws BackendException when the server stored some but not all of them (it counts rejects in
   *     {@code errors} of a 200 reply); sending the same body again is safe
   */
  void addEvents(byte[] body) {
    ObjectNode data = api.callJsonLines("events.add_batch", body);
    int errors = data.path("errors").asInt(0);
    if (errors > 0) {
      throw new BackendException(
          ClearmlBackendPlugin.NAME,
          "events.add_batch stored "
              + data.path("added").asInt(0)
              + " events and refused "
              + errors
              + ": "
              + data.path("errors_info")
              + " (request of "
              + lines(body)
              + " events)");
    }
  }

  /**
   * Ends the task: FINISHED → {@code completed}, FAILED → {@code failed}, KILLED → {@code stopped}
   * (forced, since the server's rules for it are stricter than its transition table).
   */
  void end(String taskId, RunStatus status) {
    ObjectNode body = task(taskId);
    switch (status) {
      case FINISHED -> {
        body.put("status_reason", "completed");
        body.put("status_message", "Tracelet run finished");
        api.call("tasks.completed", body);
      }
      case FAILED -> {
        body.put("status_reason", "failed");
        body.put(
            "status_message",
            "Tracelet run failed: the program ended it with Experiment.fail or an exception");
        api.call("tasks.failed", body);
      }
      case KILLED -> {
        body.put("force", true);
        body.put("status_reason", "stopped");
        body.put(
            "status_message",
            "Tracelet run killed: the JVM shut down, or the run was found open after a crash");
        api.call("tasks.stopped", body);
      }
      case RUNNING -> throw new IllegalArgumentException("RUNNING does not end a task");
    }
  }

  private ObjectNode task(String taskId) {
    ObjectNode body = json.newObject();
    body.put("task", taskId);
    return body;
  }

  private static String requireId(ObjectNode data, String endpoint) {
    String id = data.path("id").asText("");
    if (id.isEmpty()) {
      throw new BackendException(ClearmlBackendPlugin.NAME, endpoint + " answered without an id");
    }
    return id;
  }

  private static int lines(byte[] body) {
    int n = body.length == 0 ? 0 : 1;
    for (byte b : body) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }
}
