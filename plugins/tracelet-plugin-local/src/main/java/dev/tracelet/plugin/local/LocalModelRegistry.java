package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.ModelNotFoundException;
import dev.tracelet.api.ModelVersionNotFoundException;
import dev.tracelet.api.NoVersionsFoundException;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.Sort;
import dev.tracelet.plugin.local.ArtifactFiles.Staged;
import dev.tracelet.plugin.local.ArtifactFiles.StoredFile;
import dev.tracelet.plugin.local.LocalRunStore.ResolvedArtifact;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The local model registry. Registering copies the run's artifact into {@code
 * registry/<model>/<version>/}, checked against the SHA-256 recorded when it was logged, and makes
 * the copy read-only; {@link #loadRegisteredModel} checks it again, so a registered version is the
 * bytes that were registered or an error, never something else. Versions come from a per-model
 * counter and are never reused. Model files are opaque bytes: nothing here deserialises them.
 */
final class LocalModelRegistry implements ModelRegistry {

  private final LocalStore store;
  private final Database db;

  LocalModelRegistry(LocalStore store) {
    this.store = store;
    this.db = store.db();
  }

  @Override
  public String registerModel(
      String runId, String artifactName, String modelName, Map<String, String> tags) {
    Names.modelName(modelName);
    Objects.requireNonNull(tags, "tags");
    tags.forEach((k, v) -> Names.key(k, "model tag key"));
    ResolvedArtifact source = store.runStore().resolveArtifact(runId, artifactName);
    Staged staged = store.files().stageCopy(source.path(), source.leafName(), source.checksums());
    Path modelDir = ArtifactFiles.inside(store.files().registryRoot(), modelName);
    try {
      long version =
          db.write(
              "cannot register model '" + modelName + "'",
              c -> {
                long now = System.currentTimeMillis();
                long modelId = getOrCreateModel(c, modelName, now);
                long v = nextVersion(c, modelId);
                Path target = ArtifactFiles.inside(modelDir, Long.toString(v));
                try {
                  // No row names version v yet and we hold the write lock: whatever is there is
                  // the leftover of an attempt that died before it committed.
                  ArtifactFiles.deleteTree(target);
                  ArtifactFiles.moveIntoPlace(staged.dir(), target);
                } catch (IOException e) {
                  throw new BackendException(
                      LocalBackendPlugin.NAME, "cannot move model into " + target + ": " + e, e);
                }
                try {
                  insertVersion(c, modelId, v, runId, artifactName, now, modelName, source, staged);
                  insertTags(c, modelId, v, tags);
                } catch (SQLException | RuntimeException e) {
                  ArtifactFiles.deleteTree(target);
                  throw e;
                }
                return v;
              });
      ArtifactFiles.makeReadOnly(modelDir.resolve(Long.toString(version)));
      return Long.toString(version);
    } finally {
      ArtifactFiles.deleteTree(staged.dir());
    }
  }

  private static long getOrCreateModel(Connection c, String name, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM models WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO models(name, created_at, next_version) VALUES (?, ?, 1)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, name);
      ps.setLong(2, now);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  private static long nextVersion(Connection c, long modelId) throws SQLException {
    long v;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT next_version FROM models WHERE id = ?")) {
      ps.setLong(1, modelId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        v = rs.getLong(1);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE models SET next_version = ? WHERE id = ?")) {
      ps.setLong(1, v + 1);
      ps.setLong(2, modelId);
      ps.executeUpdate();
    }
    return v;
  }

  private static void insertVersion(
      Connection c,
      long modelId,
      long v,
      String runId,
      String artifactName,
      long now,
      String modelName,
      ResolvedArtifact source,
      Staged staged)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO model_versions(model_id, version, source_run_id, artifact_name,"
                + " registered_at, path) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, modelId);
      ps.setLong(2, v);
      ps.setString(3, runId);
      ps.setString(4, artifactName);
      ps.setLong(5, now);
      ps.setString(6, modelName + "/" + v + "/" + source.leafName());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO model_version_files(model_id, version, path, size, sha256)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (StoredFile f : staged.files()) {
        ps.setLong(1, modelId);
        ps.setLong(2, v);
        ps.setString(3, f.path());
        ps.setLong(4, f.size());
        ps.setString(5, f.sha256());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertTags(Connection c, long modelId, long v, Map<String, String> tags)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO model_version_tags(model_id, version, key, value) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(model_id, version, key) DO UPDATE SET value = excluded.value")) {
      for (Map.Entry<String, String> t : tags.entrySet()) {
        ps.setLong(1, modelId);
        ps.setLong(2, v);
        ps.setString(3, t.getKey());
        ps.setString(4, Objects.requireNonNull(t.getValue(), "tag value"));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public List<String> listRegisteredModels() {
    return db.read(
        "cannot list registered models",
        c -> {
          List<String> names = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT name FROM models ORDER BY name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              names.add(rs.getString(1));
            }
          }
          return Collections.unmodifiableList(names);
        });
  }

  @Override
  public List<ModelVersion> modelVersions(String modelName, Sort sort) {
    sort.requireValid(Sort.VERSION_FIELDS);
    List<ModelVersion> versions =
        db.read(
            "cannot list versions of model '" + Names.printable(modelName) + "'",
            c -> {
              long modelId = requireModel(c, modelName);
              Map<Long, Map<String, String>> tags = new LinkedHashMap<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT version, key, value FROM model_version_tags WHERE model_id = ?"
                          + " ORDER BY key")) {
                ps.setLong(1, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    tags.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>())
                        .put(rs.getString(2), rs.getString(3));
                  }
                }
              }
              Map<Long, List<String>> aliases = new LinkedHashMap<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT version, alias FROM model_aliases WHERE model_id = ? ORDER BY alias")) {
                ps.setLong(1, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    aliases
                        .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(rs.getString(2));
                  }
                }
              }
              List<ModelVersion> result = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT version, source_run_id, registered_at FROM model_versions"
                          + " WHERE model_id = ? ORDER BY version DESC")) {
                ps.setLong(1, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    long v = rs.getLong(1);
                    result.add(
                        new ModelVersion(
                            modelName,
                            Long.toString(v),
                            rs.getString(2),
                            Instant.ofEpochMilli(rs.getLong(3)),
                            tags.getOrDefault(v, Map.of()),
                            aliases.getOrDefault(v, List.of())));
                  }
                }
              }
              return result;
            });
    return Collections.unmodifiableList(
        Ordering.sorted(
            versions,
            sort,
            v ->
                switch (sort.field().orElse("")) {
                  case "version" -> Long.parseLong(v.version());
                  case "registered_at" -> v.registeredAt();
                  default -> null;
                }));
  }

  @Override
  public Map<String, String> modelTags(String modelName, String version) {
    return db.read(
        "cannot read tags of model '" + Names.printable(modelName) + "'",
        c -> {
          long[] mv = requireVersion(c, modelName, version);
          Map<String, String> tags = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT key, value FROM model_version_tags WHERE model_id = ? AND version = ?"
                      + " ORDER BY key")) {
            ps.setLong(1, mv[0]);
            ps.setLong(2, mv[1]);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                tags.put(rs.getString(1), rs.getString(2));
              }
            }
          }
          return Collections.unmodifiableMap(tags);
        });
  }

  @Override
  public void addModelTags(String modelName, String version, Map<String, String> tags) {
    tags.forEach((k, v) -> Names.key(k, "model tag key"));
    db.write(
        "cannot tag model '" + Names.printable(modelName) + "'",
        c -> {
          long[] mv = requireVersion(c, modelName, version);
          insertTags(c, mv[0], mv[1], tags);
          return null;
        });
  }

  @Override
  public void removeModelTags(String modelName, String version, Collection<String> keys) {
    db.write(
        "cannot remove tags of model '" + Names.printable(modelName) + "'",
        c -> {
          long[] mv = requireVersion(c, modelName, version);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?")) {
            for (String k : keys) {
              ps.setLong(1, mv[0]);
              ps.setLong(2, mv[1]);
              ps.setString(3, k);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public void setAlias(String modelName, String alias, String version) {
    Names.alias(alias);
    db.write(
        "cannot set alias '" + alias + "' of model '" + Names.printable(modelName) + "'",
        c -> {
          long[] mv = requireVersion(c, modelName, version);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO model_aliases(model_id, alias, version) VALUES (?, ?, ?)"
                      + " ON CONFLICT(model_id, alias) DO UPDATE SET version = excluded.version")) {
            ps.setLong(1, mv[0]);
            ps.setString(2, alias);
            ps.setLong(3, mv[1]);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void deleteAlias(String modelName, String alias) {
    db.write(
        "cannot delete alias '" + alias + "' of model '" + Names.printable(modelName) + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM model_aliases WHERE model_id = ? AND alias = ?")) {
            ps.setLong(1, requireModel(c, modelName));
            ps.setString(2, alias);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * The registered copy: the file when one file was registered, else its folder. Every file is
   * checked against the SHA-256 taken at registration first.
   */
  @Override
  public Path loadRegisteredModel(String modelName, String version) {
    record Found(String path, Map<String, String> sums) {}
    Found found =
        db.read(
            "cannot load model '" + Names.printable(modelName) + "'",
            c -> {
              long[] mv = requireVersion(c, modelName, version);
              String path;
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT path FROM model_versions WHERE model_id = ? AND version = ?")) {
                ps.setLong(1, mv[0]);
                ps.setLong(2, mv[1]);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  path = rs.getString(1);
                }
              }
              Map<String, String> sums = new LinkedHashMap<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT path, sha256 FROM model_version_files WHERE model_id = ? AND"
                          + " version = ?")) {
                ps.setLong(1, mv[0]);
                ps.setLong(2, mv[1]);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    sums.put(rs.getString(1), rs.getString(2));
                  }
                }
              }
              return new Found(path, sums);
            });
    Path root = store.files().registryRoot();
    Path target = ArtifactFiles.inside(root, found.path());
    Path versionDir = target.getParent();
    for (Map.Entry<String, String> f : found.sums().entrySet()) {
      Path file = ArtifactFiles.inside(versionDir, f.getKey());
      String actual;
      try {
        actual = sha256(file);
      } catch (IOException e) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "registered model '" + modelName + "' is missing its file " + file + ": " + e,
            e);
      }
      if (!actual.equals(f.getValue())) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "registered model '"
                + modelName
                + "' file "
                + file
                + " no longer matches the SHA-256 taken at registration; it was modified outside"
                + " Tracelet, register the model again");
      }
    }
    return target;
  }

  private static String sha256(Path file) throws IOException {
    return dev.tracelet.api.artifact.TraceletArtifact.sha256(file);
  }

  private static long requireModel(Connection c, String modelName) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM models WHERE name = ?")) {
      ps.setString(1, modelName);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
    }
    throw new ModelNotFoundException(
        "No registered model named '"
            + Names.printable(modelName)
            + "'; list them with listRegisteredModels()");
  }

  /** {model id, version} for a version number, {@code "latest"} or an alias. */
  private static long[] requireVersion(Connection c, String modelName, String version)
      throws SQLException {
    long modelId = requireModel(c, modelName);
    Objects.requireNonNull(version, "version");
    String sql;
    if (version.equals("latest")) {
      sql = "SELECT MAX(version) FROM model_versions WHERE model_id = ?";
    } else if (version.matches("[0-9]{1,18}")) {
      sql = "SELECT version FROM model_versions WHERE model_id = ? AND version = ?";
    } else {
      sql = "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?";
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, modelId);
      if (!version.equals("latest")) {
        if (version.matches("[0-9]{1,18}")) {
          ps.setLong(2, Long.parseLong(version));
        } else {
          ps.setString(2, version);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          long v = rs.getLong(1);
          if (!rs.wasNull()) {
            return new long[] {modelId, v};
          }
        }
      }
    }
    if (version.equals("latest")) {
      throw new NoVersionsFoundException(
          "model '" + modelName + "' has no versions; register one with registerModel");
    }
    throw new ModelVersionNotFoundException(
        "model '"
            + modelName
            + "' has no version or alias '"
            + Names.printable(version)
            + "'; see modelVersions(\""
            + modelName
            + "\", Sort.none())");
  }
}
