package dev.tracelet.plugin.local;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.artifact.ArtifactPaths;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import dev.tracelet.plugin.local.ArtifactFiles.StoredFile;
import dev.tracelet.plugin.local.ArtifactIndex.StoredArtifact;
import dev.tracelet.plugin.local.MetricChunkCodec.Points;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The local store's read side (plus soft delete, restore, purge and per-key tags). Thread-safe:
 * every call borrows its own connection and reads one consistent snapshot.
 *
 * <p>Before listing runs it records KILLED for RUNNING runs whose owner process on this host is
 * gone (see {@link RunRow#markDeadRunsKilled}), so a crashed run never reads as running forever.
 */
final class LocalRunStore implements RunStore {
  static final List<String> RESULT_COLUMNS =
      List.of("run_id", "status", "start_time", "end_time", "duration");

  private final LocalStore store;
  private final Database db;
  private final LocalModelRegistry registry;

  LocalRunStore(LocalStore store) {
    this.store = store;
    this.db = store.db();
    this.registry = new LocalModelRegistry(store);
  }

  Path root() {
    return store.root();
  }

  @Override
  public List<ExperimentInfo> listExperiments() {
    return db.read(
        "cannot list experiments",
        c -> {
          Map<Long, Map<String, String>> tags = experimentTags(c);
          List<ExperimentInfo> result = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT id, name, created_at FROM experiments WHERE deleted_at IS NULL"
                          + " ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long id = rs.getLong(1);
              result.add(
                  new ExperimentInfo(
                      Long.toString(id),
                      rs.getString(2),
                      Instant.ofEpochMilli(rs.getLong(3)),
                      tags.getOrDefault(id, Map.of())));
            }
          }
          return result;
        });
  }

  private static Map<Long, Map<String, String>> experimentTags(Connection c) throws SQLException {
    Map<Long, Map<String, String>> tags = new HashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT experiment_id, key, value FROM experiment_tags");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        tags.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>())
            .put(rs.getString(2), rs.getString(3));
      }
    }
    return tags;
  }

  @Override
  public Optional<ExperimentInfo> getExperiment(String idOrName) {
    return db.read(
        "cannot read experiment " + Names.printable(idOrName),
        c -> {
          Optional<ExperimentRow> row = ExperimentRow.find(c, idOrName);
          if (row.isEmpty()) {
            return Optional.empty();
          }
          ExperimentRow e = row.get();
          return Optional.of(
              new ExperimentInfo(
                  Long.toString(e.id()),
                  e.name(),
                  Instant.ofEpochMilli(e.createdAt()),
                  experimentTags(c).getOrDefault(e.id(), Map.of())));
        });
  }

  @Override
  public String getOrCreateExperiment(String name) {
    Names.experimentName(name);
    return Long.toString(
        db.write(
            "cannot create experiment '" + name + "'",
            c -> ExperimentRow.getOrCreate(c, name, System.currentTimeMillis())));
  }

  @Override
  public List<ExperimentSummary> experimentSummaries(Sort sort) {
    sort.requireValid(Sort.SUMMARY_FIELDS);
    List<ExperimentSummary> all =
        db.read(
            "cannot summarise experiments",
            c -> {
              List<ExperimentSummary> result = new ArrayList<>();
              try (PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT e.id, e.name, e.created_at, COUNT(r.seq), MAX(r.start_time)"
                              + " FROM experiments e LEFT JOIN runs r"
                              + " ON r.experiment_id = e.id AND r.deleted_at IS NULL"
                              + " WHERE e.deleted_at IS NULL GROUP BY e.id ORDER BY e.id");
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  Long last = RunRow.nullableLong(rs, 5);
                  result.add(
                      new ExperimentSummary(
                          Long.toString(rs.getLong(1)),
                          rs.getString(2),
                          Instant.ofEpochMilli(rs.getLong(3)),
                          rs.getInt(4),
                          last == null ? null : Instant.ofEpochMilli(last)));
                }
              }
              return result;
            });
    return Collections.unmodifiableList(
        Ordering.sorted(
            all,
            sort,
            s ->
                switch (sort.field().orElse("")) {
                  case "experiment_id" -> Long.parseLong(s.experimentId());
                  case "name" -> s.name();
                  case "created_at" -> s.createdAt();
                  case "num_runs" -> (long) s.numRuns();
                  case "last_run" -> s.lastRun();
                  default -> null;
                }));
  }

  @Override
  public List<RunInfo> experimentRuns(String experimentIdOrName, Sort sort) {
    sort.requireValid(Sort.RUN_FIELDS);
    RunRow.markDeadRunsKilled(db);
    List<RunValues> runs =
        db.read(
            "cannot list runs of " + Names.printable(experimentIdOrName),
            c -> {
              ExperimentRow e = ExperimentRow.require(c, experimentIdOrName);
              String field = sort.field().orElse("");
              return RunValues.load(
                  c,
                  e.id(),
                  field.startsWith("param.") ? field.substring(6) : null,
                  field.startsWith("metric.") ? field.substring(7) : null,
                  false);
            });
    List<RunInfo> result = new ArrayList<>(runs.size());
    long now = System.currentTimeMillis();
    for (RunValues v : Ordering.sorted(runs, sort, v -> v.field(sort.field().orElse(""), now))) {
      result.add(v.row().toInfo());
    }
    return Collections.unmodifiableList(result);
  }

  @Override
  public Optional<RunDetails> getRun(String runId) {
    if (!Names.isRunId(runId)) {
      return Optional.empty();
    }
    RunRow.markDeadRunsKilled(db);
    return db.read(
        "cannot read run " + runId,
        c -> {
          Optional<RunRow> found = RunRow.find(c, runId);
          if (found.isEmpty() || found.get().deleted()) {
            return Optional.empty();
          }
          RunRow row = found.get().withLiveness();
          Map<String, String> params = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT key, value FROM params WHERE run_seq = ? ORDER BY key")) {
            ps.setLong(1, row.seq());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                params.put(rs.getString(1), rs.getString(2));
              }
            }
          }
          Map<String, Double> metrics = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT key, last_value FROM metric_series WHERE run_seq = ? ORDER BY key")) {
            ps.setLong(1, row.seq());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String key = rs.getString(1);
                double v = rs.getDouble(2);
                metrics.put(key, rs.wasNull() ? Double.NaN : v);
              }
            }
          }
          Map<String, String> tags = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT key, value FROM run_tags WHERE run_seq = ? ORDER BY key")) {
            ps.setLong(1, row.seq());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                tags.put(rs.getString(1), rs.getString(2));
              }
            }
          }
          List<String> artifacts = new ArrayList<>();
          for (StoredArtifact a : ArtifactIndex.list(c, row.seq())) {
            for (StoredFile f : a.files()) {
              artifacts.add(a.name() + "/" + f.path());
            }
          }
          return Optional.of(new RunDetails(row.toInfo(), params, metrics, tags, artifacts));
        });
  }

  @Override
  public List<MetricPoint> metricHistory(String runId, String key) {
    return db.read(
        "cannot read metric '" + Names.printable(key) + "' of run " + runId,
        c -> {
          RunRow row = requireRun(c, runId);
          long seriesId;
          int count;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, points FROM metric_series WHERE run_seq = ? AND key = ?")) {
            ps.setLong(1, row.seq());
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return List.of();
              }
              seriesId = rs.getLong(1);
              count = rs.getInt(2);
            }
          }
          Points points = new Points(count);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT data FROM metric_chunks WHERE series_id = ? ORDER BY id")) {
            ps.setLong(1, seriesId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                MetricChunkCodec.decode(rs.getBytes(1), points);
              }
            }
          }
          return MetricHistory.inStepOrder(points);
        });
  }

  @Override
  public ResultsTable loadResults(String experimentIdOrName, Sort sort) {
    sort.requireValid(Sort.RUN_FIELDS);
    RunRow.markDeadRunsKilled(db);
    List<RunValues> runs =
        db.read(
            "cannot load results of " + Names.printable(experimentIdOrName),
            c ->
                RunValues.load(
                    c, ExperimentRow.require(c, experimentIdOrName).id(), null, null, true));
    TreeSet<String> paramKeys = new TreeSet<>();
    TreeSet<String> metricKeys = new TreeSet<>();
    for (RunValues v : runs) {
      paramKeys.addAll(v.params().keySet());
      metricKeys.addAll(v.metrics().keySet());
    }
    List<String> columns = new ArrayList<>(RESULT_COLUMNS);
    paramKeys.forEach(k -> columns.add("param." + k));
    metricKeys.forEach(k -> columns.add("metric." + k));
    long now = System.currentTimeMillis();
    List<Map<String, Object>> rows = new ArrayList<>(runs.size());
    for (RunValues v : Ordering.sorted(runs, sort, x -> x.field(sort.field().orElse(""), now))) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (String col : RESULT_COLUMNS) {
        Object value = v.field(col, now);
        if (value != null) {
          row.put(col, value);
        }
      }
      v.params().forEach((k, x) -> row.put("param." + k, x));
      v.metrics().forEach((k, x) -> row.put("metric." + k, x));
      rows.add(row);
    }
    return new ResultsTable(columns, rows);
  }

  @Override
  public void deleteExperiment(String idOrName) {
    db.write(
        "cannot delete experiment " + Names.printable(idOrName),
        c -> {
          ExperimentRow e = ExperimentRow.require(c, idOrName);
          long now = System.currentTimeMillis();
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE experiments SET deleted_at = ? WHERE id = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, e.id());
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET deleted_at = ? WHERE experiment_id = ? AND deleted_at IS NULL")) {
            ps.setLong(1, now);
            ps.setLong(2, e.id());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void deleteRun(String runId) {
    db.write(
        "cannot delete run " + runId,
        c -> {
          RunRow row = requireRun(c, runId);
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE runs SET deleted_at = ? WHERE seq = ?")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setLong(2, row.seq());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Brings back a soft-deleted run, and its experiment if that was deleted with it. */
  @Override
  public void restoreRun(String runId) {
    db.write(
        "cannot restore run " + runId,
        c -> {
          RunRow row =
              RunRow.find(c, Names.isRunId(runId) ? runId : "")
                  .orElseThrow(() -> runNotFound(runId));
          if (!row.deleted()) {
            return null;
          }
          String name;
          Long deletedAt;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT name, deleted_at FROM experiments WHERE id = ?")) {
            ps.setLong(1, row.experimentId());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              name = rs.getString(1);
              deletedAt = RunRow.nullableLong(rs, 2);
            }
          }
          if (deletedAt != null) {
            if (ExperimentRow.find(c, name).isPresent()) {
              throw new BackendException(
                  LocalBackendPlugin.NAME,
                  "run "
                      + runId
                      + " belongs to the deleted experiment "
                      + row.experimentId()
                      + ", and a new experiment now has its name '"
                      + name
                      + "'; delete or rename that one first");
            }
            try (PreparedStatement ps =
                c.prepareStatement("UPDATE experiments SET deleted_at = NULL WHERE id = ?")) {
              ps.setLong(1, row.experimentId());
              ps.executeUpdate();
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE runs SET deleted_at = NULL WHERE seq = ?")) {
            ps.setLong(1, row.seq());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Removes soft-deleted runs (rows, metric history, artifact files) and soft-deleted experiments
   * that have no runs left. Purged run ids are retired so they are never accepted again.
   */
  @Override
  public int purgeDeleted() {
    List<String> purged =
        db.write(
            "cannot purge deleted runs",
            c -> {
              List<String> ids = new ArrayList<>();
              try (PreparedStatement ps =
                      c.prepareStatement("SELECT id FROM runs WHERE deleted_at IS NOT NULL");
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  ids.add(rs.getString(1));
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement("INSERT OR IGNORE INTO retired_run_ids(id) VALUES (?)")) {
                for (String id : ids) {
                  ps.setString(1, id);
                  ps.addBatch();
                }
                ps.executeBatch();
              }
              try (PreparedStatement ps =
                  c.prepareStatement("DELETE FROM runs WHERE deleted_at IS NOT NULL")) {
                ps.executeUpdate();
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "DELETE FROM experiments WHERE deleted_at IS NOT NULL AND NOT EXISTS"
                          + " (SELECT 1 FROM runs WHERE runs.experiment_id = experiments.id)")) {
                ps.executeUpdate();
              }
              return ids;
            });
    for (String id : purged) {
      ArtifactFiles.deleteTree(store.files().runDir(id));
    }
    sweepRetiredFolders();
    return purged.size();
  }

  /** Artifact folders of retired ids left behind when an earlier purge could not delete them. */
  private void sweepRetiredFolders() {
    Path root = store.files().artifactsRoot();
    if (!Files.isDirectory(root)) {
      return;
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> list = Files.list(root)) {
      list.map(p -> p.getFileName().toString()).filter(Names::isRunId).forEach(names::add);
    } catch (IOException e) {
      return;
    }
    if (names.isEmpty()) {
      return;
    }
    List<String> retired =
        db.read(
            "cannot read retired run ids",
            c -> {
              List<String> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT 1 FROM retired_run_ids WHERE id = ?")) {
                for (String n : names) {
                  ps.setString(1, n);
                  try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                      out.add(n);
                    }
                  }
                }
              }
              return out;
            });
    retired.forEach(id -> ArtifactFiles.deleteTree(store.files().runDir(id)));
  }

  @Override
  public void setRunTag(String runId, String key, String value) {
    Names.key(key, "tag key");
    java.util.Objects.requireNonNull(value, "value");
    db.write(
        "cannot set tag '" + key + "' of run " + runId,
        c -> {
          LocalSession.writeTags(
              c,
              requireRun(c, runId).seq(),
              List.of(new dev.tracelet.api.plugin.TagEvent(key, value)));
          return null;
        });
  }

  @Override
  public void deleteRunTag(String runId, String key) {
    db.write(
        "cannot delete tag '" + key + "' of run " + runId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM run_tags WHERE run_seq = ? AND key = ?")) {
            ps.setLong(1, requireRun(c, runId).seq());
            ps.setString(2, key);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void setExperimentTag(String experimentIdOrName, String key, String value) {
    Names.key(key, "tag key");
    java.util.Objects.requireNonNull(value, "value");
    db.write(
        "cannot set tag '" + key + "' of experiment " + Names.printable(experimentIdOrName),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)"
                      + " ON CONFLICT(experiment_id, key) DO UPDATE SET value = excluded.value")) {
            ps.setLong(1, ExperimentRow.require(c, experimentIdOrName).id());
            ps.setString(2, key);
            ps.setString(3, value);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void deleteExperimentTag(String experimentIdOrName, String key) {
    db.write(
        "cannot delete tag '" + key + "' of experiment " + Names.printable(experimentIdOrName),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?")) {
            ps.setLong(1, ExperimentRow.require(c, experimentIdOrName).id());
            ps.setString(2, key);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Path artifactPath(String runId, String artifactName) {
    return resolveArtifact(runId, artifactName).path();
  }

  /**
   * Where an artifact (or one file or folder of it) is, and the checksums of its files keyed by
   * {@code leafName}-relative path.
   */
  record ResolvedArtifact(Path path, String leafName, Map<String, String> checksums) {}

  /**
   * Resolves {@code name} or {@code name/path} against the run's artifact index. A bare name that
   * is no artifact but the path of exactly one file of the run finds that file too, so RuneLog's
   * flat file names keep working.
   */
  ResolvedArtifact resolveArtifact(String runId, String artifactName) {
    ArtifactPaths.requireSafeRelative(artifactName, "artifact name");
    return db.read(
        "cannot resolve artifact '" + artifactName + "' of run " + runId,
        c -> {
          RunRow row = requireRun(c, runId);
          int slash = artifactName.indexOf('/');
          String name = slash < 0 ? artifactName : artifactName.substring(0, slash);
          String rest = slash < 0 ? null : artifactName.substring(slash + 1);
          List<StoredArtifact> all = ArtifactIndex.list(c, row.seq());
          StoredArtifact artifact = null;
          for (StoredArtifact a : all) {
            if (a.name().equals(name)) {
              artifact = a;
            }
          }
          if (artifact == null && rest == null) {
            List<StoredArtifact> holders = new ArrayList<>();
            for (StoredArtifact a : all) {
              for (StoredFile f : a.files()) {
                if (f.path().equals(artifactName)) {
                  holders.add(a);
                }
              }
            }
            if (holders.size() == 1) {
              artifact = holders.get(0);
              rest = artifactName;
            }
          }
          if (artifact == null) {
            List<String> names = all.stream().map(StoredArtifact::name).toList();
            throw new ArtifactNotFoundException(
                "run "
                    + runId
                    + " has no artifact '"
                    + artifactName
                    + "'; it has "
                    + (names.isEmpty() ? "none" : String.join(", ", names)));
          }
          Path dir = store.files().artifactDir(runId, artifact.name());
          Path path;
          String leaf;
          Map<String, String> sums = new LinkedHashMap<>();
          if (rest == null && artifact.files().size() == 1) {
            rest = artifact.files().get(0).path();
          }
          if (rest == null) {
            path = dir;
            leaf = artifact.name();
            for (StoredFile f : artifact.files()) {
              sums.put(leaf + "/" + f.path(), f.sha256());
            }
          } else {
            path = ArtifactFiles.inside(dir, rest);
            leaf = path.getFileName().toString();
            for (StoredFile f : artifact.files()) {
              if (f.path().equals(rest)) {
                sums.put(leaf, f.sha256());
              } else if (f.path().startsWith(rest + "/")) {
                sums.put(leaf + f.path().substring(rest.length()), f.sha256());
              }
            }
            if (sums.isEmpty()) {
              throw new ArtifactNotFoundException(
                  "artifact '"
                      + artifact.name()
                      + "' of run "
                      + runId
                      + " has no file or folder '"
                      + rest
                      + "'");
            }
          }
          if (!Files.exists(path)) {
            throw new ArtifactNotFoundException(
                "artifact '"
                    + artifactName
                    + "' of run "
                    + runId
                    + " is in the index but missing at "
                    + path
                    + "; the store's files were changed outside Tracelet");
          }
          return new ResolvedArtifact(path, leaf, sums);
        });
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  static RunRow requireRun(Connection c, String runId) throws SQLException {
    if (!Names.isRunId(runId)) {
      throw runNotFound(runId);
    }
    RunRow row = RunRow.find(c, runId).orElseThrow(() -> runNotFound(runId));
    if (row.deleted()) {
      throw new RunNotFoundException(
          "run " + runId + " is deleted; bring it back with restoreRun(\"" + runId + "\")");
    }
    return row.withLiveness();
  }

  private static RunNotFoundException runNotFound(String runId) {
    return new RunNotFoundException(
        "No run with id '"
            + Names.printable(runId)
            + "' in the local store; list runs with experimentRuns(experiment, Sort.none())");
  }

  /** A run with the parameter and metric values a listing needs. */
  record RunValues(RunRow row, Map<String, Object> params, Map<String, Double> metrics) {
    @Nullable Object field(String field, long now) {
      return switch (field) {
        case "run_id" -> row.id();
        case "name" -> row.name();
        case "status" -> row.status().name();
        case "start_time" -> Instant.ofEpochMilli(row.startTime());
        case "end_time" -> row.endTime() == null ? null : Instant.ofEpochMilli(row.endTime());
        case "duration" ->
            ((row.endTime() == null ? now : row.endTime()) - row.startTime()) / 1000.0;
        default -> {
          if (field.startsWith("param.")) {
            yield params.get(field.substring(6));
          }
          if (field.startsWith("metric.")) {
            yield metrics.get(field.substring(7));
          }
          yield null;
        }
      };
    }

    /**
     * Loads an experiment's live runs with either every parameter and metric ({@code all}) or just
     * the one parameter or metric a sort needs.
     */
    static List<RunValues> load(
        Connection c,
        long experimentId,
        @Nullable String paramKey,
        @Nullable String metricKey,
        boolean all)
        throws SQLException {
      List<RunRow> rows = RunRow.ofExperiment(c, experimentId);
      Map<Long, RunValues> bySeq = new LinkedHashMap<>();
      for (RunRow r : rows) {
        bySeq.put(r.seq(), new RunValues(r, new LinkedHashMap<>(), new LinkedHashMap<>()));
      }
      if (all || paramKey != null) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT p.run_seq, p.key, p.value, p.kind FROM params p JOIN runs r"
                    + " ON r.seq = p.run_seq WHERE r.experiment_id = ? AND r.deleted_at IS NULL"
                    + (all ? "" : " AND p.key = ?"))) {
          ps.setLong(1, experimentId);
          if (!all) {
            ps.setString(2, paramKey);
          }
          Map<String, String> keys = new HashMap<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              RunValues v = bySeq.get(rs.getLong(1));
              if (v != null) {
                String key = keys.computeIfAbsent(rs.getString(2), k -> k);
                v.params().put(key, ParamValues.typed(rs.getString(3), rs.getString(4)));
              }
            }
          }
        }
      }
      if (all || metricKey != null) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT s.run_seq, s.key, s.last_value FROM metric_series s JOIN runs r"
                    + " ON r.seq = s.run_seq WHERE r.experiment_id = ? AND r.deleted_at IS NULL"
                    + (all ? "" : " AND s.key = ?"))) {
          ps.setLong(1, experimentId);
          if (!all) {
            ps.setString(2, metricKey);
          }
          Map<String, String> keys = new HashMap<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              RunValues v = bySeq.get(rs.getLong(1));
              if (v != null) {
                String key = keys.computeIfAbsent(rs.getString(2), k -> k);
                double value = rs.getDouble(3);
                v.metrics().put(key, rs.wasNull() ? Double.NaN : value);
              }
            }
          }
        }
      }
      return new ArrayList<>(bySeq.values());
    }
  }
}
