package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.http.JsonCodec;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code UpsertBucket} says about the run: its id, project, entity, display name, notes,
 * group, job type, tags, and config. The config holds the run's parameters under their own names
 * and Tracelet's key/value tags under {@code tags/<key>}, each in W&amp;B's {@code {"key":
 * {"value": …}}} form, sent as a JSON string. It is always sent whole (W&amp;B replaces the
 * config), starting from what the server already had when the run is continued. Not thread-safe.
 */
final class RunSpec {
  private final String runName;
  private final String project;
  private @Nullable String entity;
  private final String displayName;
  private final @Nullable String notes;
  private final @Nullable String group;
  private final @Nullable String jobType;
  private List<String> tags;
  private List<String> acceptedTags = List.of();
  private final JsonCodec codec;
  private @Nullable String storageId;
  private ObjectNode existing;
  private LinkedHashMap<String, JsonNode> entries = new LinkedHashMap<>();
  private LinkedHashMap<String, JsonNode> accepted = new LinkedHashMap<>();

  private RunSpec(
      String runName,
      String project,
      @Nullable String entity,
      String displayName,
      @Nullable String notes,
      @Nullable String group,
      @Nullable String jobType,
      List<String> tags,
      JsonCodec codec) {
    this.runName = runName;
    this.project = project;
    this.entity = entity;
    this.displayName = displayName;
    this.notes = notes;
    this.group = group;
    this.jobType = jobType;
    this.tags = List.copyOf(tags);
    this.codec = codec;
    this.existing = codec.newObject();
  }

  /**
   * The run as the settings and the context describe it.
   *
   * @throws ConfigurationException if the run id or project breaks W&amp;B's rules
   */
  static RunSpec create(WandbConfig config, BackendContext context, JsonCodec codec) {
    String runName = config.runId != null ? config.runId : context.runId();
    String idProblem = WandbNames.runIdProblem(runName);
    if (idProblem != null) {
      throw new ConfigurationException(
          "Run id '" + runName + "' is not a W&B run id: " + idProblem + "; set wandb.run_id");
    }
    String project = config.project != null ? config.project : context.project();
    String projectProblem = WandbNames.projectProblem(project);
    if (projectProblem != null) {
      throw new ConfigurationException(
          "Project '"
              + project
              + "' is not a W&B project name: "
              + projectProblem
              + "; set wandb.project (WANDB_PROJECT)");
    }
    List<String> tags = new ArrayList<>();
    List<String> candidates = new ArrayList<>(config.tags);
    candidates.addAll(context.tags());
    for (String tag : candidates) {
      String t = tag.strip();
      if (!WandbNames.isUsableTag(t)) {
        context
            .logger()
            .log(
                Level.WARNING,
                "W&B run tag ''{0}'' left out: W&B keeps tags of 1 to {1} characters",
                t,
                WandbNames.TAG_MAX_LENGTH);
      } else if (!tags.contains(t)) {
        tags.add(t);
      }
    }
    RunSpec spec =
        new RunSpec(
            runName,
            project,
            config.entity,
            config.name != null ? config.name : context.experimentName(),
            config.notes,
            config.group,
            config.jobType,
            tags,
            codec);
    if (!runName.equals(context.runId())) {
      // Tracelet's id is the same in every backend; where W&B's differs, the config keeps it.
      spec.putTag("tracelet.run_id", context.runId());
    }
    return spec;
  }

  String runName() {
    return runName;
  }

  /**
   * The run now exists as {@code bucket}: later updates name it, and keep the config and tags it
   * already had.
   */
  void created(Bucket bucket) {
    storageId = bucket.storageId();
    if (!bucket.path().entity().isEmpty()) {
      entity = bucket.path().entity();
    }
    if (!bucket.inserted()) {
      if (bucket.config() instanceof ObjectNode old) {
        existing = old.deepCopy();
      }
      List<String> merged = new ArrayList<>(bucket.tags());
      for (String t : tags) {
        if (!merged.contains(t)) {
          merged.add(t);
        }
      }
      acceptedTags = bucket.tags();
      tags = List.copyOf(merged);
    }
  }

  void putParam(String key, Object value) {
    entries.put(key, codec.mapper().valueToTree(value));
  }

  void putTag(String key, String value) {
    entries.put(WandbNames.TAG_CONFIG_PREFIX + key, codec.mapper().valueToTree(value));
  }

  /** Whether the config or the tags changed since W&amp;B last accepted them. */
  boolean configChanged() {
    return !entries.equals(accepted) || !tags.equals(acceptedTags);
  }

  /** W&amp;B took the config and tags as they are now. */
  void configAccepted() {
    accepted = new LinkedHashMap<>(entries);
    acceptedTags = tags;
  }

  /** W&amp;B refused the changes for good: forget them, so they do not block later updates. */
  void configRefused() {
    entries = new LinkedHashMap<>(accepted);
  }

  /** Keys changed since the last accepted config, for messages. */
  List<String> changedKeys() {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
      if (!e.getValue().equals(accepted.get(e.getKey()))) {
        keys.add(e.getKey());
      }
    }
    return keys;
  }

  /**
   * The {@code UpsertBucket} variables.
   *
   * @param withConfig whether to send the config and the tags (never on the first call: W&amp;B
   *     replaces both, and a run that already exists must not lose its own before they are known)
   */
  ObjectNode variables(boolean withConfig) {
    ObjectNode v = codec.newObject();
    if (storageId != null) {
      v.put("id", storageId);
    }
    v.put("name", runName);
    v.put("project", project);
    if (entity != null) {
      v.put("entity", entity);
    }
    v.put("displayName", displayName);
    if (notes != null) {
      v.put("notes", notes);
    }
    if (group != null) {
      v.put("groupName", group);
    }
    if (jobType != null) {
      v.put("jobType", jobType);
    }
    if (withConfig) {
      ArrayNode t = v.putArray("tags");
      tags.forEach(t::add);
      v.put("config", configJson());
    }
    return v;
  }

  /** The config as the JSON string W&amp;B expects (it is JSON inside JSON: encoded twice). */
  private String configJson() {
    ObjectNode root = existing.deepCopy();
    for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
      root.putObject(e.getKey()).set("value", e.getValue());
    }
    return new String(codec.write(root), StandardCharsets.UTF_8);
  }
}
