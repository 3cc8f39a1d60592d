package dev.tracelet.plugin.wandb.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the stub holds for one run, copied at the moment it was asked for: the fields {@code
 * UpsertBucket} set, the accepted lines of each file-stream file, the end of the run and the
 * artifacts the run logged. Immutable.
 */
public final class StubRun {
  private final String entity;
  private final String project;
  private final String runId;
  private final String storageId;
  private final @Nullable String displayName;
  private final @Nullable String notes;
  private final @Nullable String group;
  private final @Nullable String jobType;
  private final List<String> tags;
  private final ObjectNode config;
  private final List<String> historyLines;
  private final List<String> eventsLines;
  private final List<String> outputLines;
  private final @Nullable String summaryLine;
  private final boolean complete;
  private final @Nullable Integer exitCode;
  private final int upserts;
  private final int fileStreamRequests;
  private final List<StubArtifact> artifacts;

  StubRun(
      String entity,
      String project,
      String runId,
      String storageId,
      @Nullable String displayName,
      @Nullable String notes,
      @Nullable String group,
      @Nullable String jobType,
      List<String> tags,
      ObjectNode config,
      List<String> historyLines,
      List<String> eventsLines,
      List<String> outputLines,
      @Nullable String summaryLine,
      boolean complete,
      @Nullable Integer exitCode,
      int upserts,
      int fileStreamRequests,
      List<StubArtifact> artifacts) {
    this.entity = entity;
    this.project = project;
    this.runId = runId;
    this.storageId = storageId;
    this.displayName = displayName;
    this.notes = notes;
    this.group = group;
    this.jobType = jobType;
    this.tags = List.copyOf(tags);
    this.config = config.deepCopy();
    this.historyLines = List.copyOf(historyLines);
    this.eventsLines = List.copyOf(eventsLines);
    this.outputLines = List.copyOf(outputLines);
    this.summaryLine = summaryLine;
    this.complete = complete;
    this.exitCode = exitCode;
    this.upserts = upserts;
    this.fileStreamRequests = fileStreamRequests;
    this.artifacts = List.copyOf(artifacts);
  }

  public String entity() {
    return entity;
  }

  public String project() {
    return project;
  }

  /** The W&amp;B run id (its {@code name}). */
  public String runId() {
    return runId;
  }

  public String storageId() {
    return storageId;
  }

  public Optional<String> displayName() {
    return Optional.ofNullable(displayName);
  }

  public Optional<String> notes() {
    return Optional.ofNullable(notes);
  }

  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  public Optional<String> jobType() {
    return Optional.ofNullable(jobType);
  }

  public List<String> tags() {
    return tags;
  }

  /** The config as stored: {@code {"key": {"value": …}}}. */
  public ObjectNode config() {
    return config.deepCopy();
  }

  /** The {@code value} of one config entry. */
  public Optional<JsonNode> configValue(String key) {
    JsonNode entry = config.get(key);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.get("value"));
  }

  /** Accepted {@code wandb-history.jsonl} lines, in offset order. */
  public List<String> historyLines() {
    return historyLines;
  }

  /** The history lines parsed (NaN and infinities as doubles). */
  public List<ObjectNode> history() {
    List<ObjectNode> rows = new ArrayList<>();
    for (String line : historyLines) {
      rows.add(StubRules.object(line));
    }
    return rows;
  }

  /** The {@code _step} of each history line, in order. */
  public List<Long> steps() {
    List<Long> steps = new ArrayList<>();
    for (ObjectNode row : history()) {
      steps.add(row.get("_step").asLong());
    }
    return steps;
  }

  public List<String> eventsLines() {
    return eventsLines;
  }

  public List<String> outputLines() {
    return outputLines;
  }

  public Optional<ObjectNode> summary() {
    return summaryLine == null
        ? Optional.empty()
        : Optional.ofNullable(StubRules.object(summaryLine));
  }

  /** Whether a request with {@code complete:true} arrived. */
  public boolean complete() {
    return complete;
  }

  public Optional<Integer> exitCode() {
    return Optional.ofNullable(exitCode);
  }

  /** UpsertBucket calls that named this run. */
  public int upserts() {
    return upserts;
  }

  /** File-stream requests this run's stream accepted. */
  public int fileStreamRequests() {
    return fileStreamRequests;
  }

  public List<StubArtifact> artifacts() {
    return artifacts;
  }

  /** The newest committed version of artifact {@code name}, if any. */
  public Optional<StubArtifact> artifact(String name) {
    StubArtifact found = null;
    for (StubArtifact a : artifacts) {
      if (a.name().equals(name)
          && a.committed()
          && (found == null || a.versionIndex() > found.versionIndex())) {
        found = a;
      }
    }
    return Optional.ofNullable(found);
  }

  /** A JSON summary, as {@code GET /_stub/runs} shows it. */
  ObjectNode describe() {
    ObjectNode o = StubRules.object();
    o.put("entity", entity);
    o.put("project", project);
    o.put("id", runId);
    o.put("displayName", displayName);
    o.put("historyLines", historyLines.size());
    var steps = o.putArray("steps");
    steps().forEach(steps::add);
    o.put("eventsLines", eventsLines.size());
    o.put("outputLines", outputLines.size());
    o.put("complete", complete);
    if (exitCode != null) {
      o.put("exitcode", exitCode);
    } else {
      o.putNull("exitcode");
    }
    o.set("config", config.deepCopy());
    var t = o.putArray("tags");
    tags.forEach(t::add);
    o.set("summary", summary().map(s -> (JsonNode) s).orElse(StubRules.JSON.nullNode()));
    var a = o.putArray("artifacts");
    for (StubArtifact art : artifacts) {
      a.addObject()
          .put("name", art.name())
          .put("type", art.type())
          .put("version", art.versionIndex())
          .put("committed", art.committed())
          .put("files", art.files().size());
    }
    return o;
  }

  @Override
  public String toString() {
    return "StubRun{"
        + entity
        + "/"
        + project
        + "/"
        + runId
        + ", history="
        + historyLines.size()
        + ", complete="
        + complete
        + ", exitCode="
        + exitCode
        + '}';
  }
}
