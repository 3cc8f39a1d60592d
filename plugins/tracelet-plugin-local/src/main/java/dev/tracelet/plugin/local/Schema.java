package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's schema as an ordered list of migrations; the database's {@code user_version} says how
 * many have been applied. Migrating runs in one {@code BEGIN IMMEDIATE} transaction, so processes
 * opening a new store at once apply each migration exactly once. Migrations are append-only: a
 * released one is never edited.
 *
 * <p>Times are UTC epoch milliseconds. Metric points are stored as chunks (one per key and logged
 * batch, see {@link MetricChunkCodec}) rather than one row each: that is what lets one writer
 * ingest millions of points a second and read a million-point history in one index range scan.
 * {@code metric_series} keeps each key's point count and latest value for result tables.
 */
final class Schema {
  private static final List<String> V1 =
      List.of(
          """
          CREATE TABLE experiments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            deleted_at INTEGER
          )""",
          // AUTOINCREMENT: SQLite never hands out an id again, even after the row is purged.
          "CREATE UNIQUE INDEX experiments_live_name ON experiments(name) WHERE deleted_at IS NULL",
          """
          CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')),
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            last_seen INTEGER NOT NULL,
            owner_host TEXT,
            owner_boot TEXT,
            owner_pid INTEGER,
            owner_start INTEGER,
            deleted_at INTEGER
          )""",
          "CREATE INDEX runs_experiment ON runs(experiment_id, start_time)",
          "CREATE INDEX runs_running ON runs(owner_host) WHERE status = 'RUNNING'",
          "CREATE TABLE retired_run_ids (id TEXT PRIMARY KEY) WITHOUT ROWID",
          """
          CREATE TABLE params (
            run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            kind TEXT NOT NULL,
            PRIMARY KEY (run_seq, key)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE run_tags (
            run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_seq, key)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE metric_series (
            id INTEGER PRIMARY KEY,
            run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
            key TEXT NOT NULL,
            points INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            last_ts INTEGER NOT NULL,
            last_value REAL,
            UNIQUE (run_seq, key)
          )""",
          """
          CREATE TABLE metric_chunks (
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
            points INTEGER NOT NULL,
            data BLOB NOT NULL
          )""",
          "CREATE INDEX metric_chunks_series ON metric_chunks(series_id, id)",
          """
          CREATE TABLE metric_batches (
            run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
            digest BLOB NOT NULL,
            PRIMARY KEY (run_seq, digest)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE artifacts (
            id INTEGER PRIMARY KEY,
            run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            description TEXT,
            created_at INTEGER NOT NULL,
            logged_at INTEGER NOT NULL,
            digest TEXT NOT NULL,
            metadata TEXT NOT NULL,
            UNIQUE (run_seq, name)
          )""",
          """
          CREATE TABLE artifact_files (
            artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            description TEXT,
            PRIMARY KEY (artifact_id, path)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE artifact_refs (
            artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            uri TEXT NOT NULL,
            size INTEGER,
            description TEXT,
            PRIMARY KEY (artifact_id, position)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE models (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            next_version INTEGER NOT NULL
          )""",
          """
          CREATE TABLE model_versions (
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            source_run_id TEXT NOT NULL,
            artifact_name TEXT NOT NULL,
            registered_at INTEGER NOT NULL,
            path TEXT NOT NULL,
            PRIMARY KEY (model_id, version)
          ) WITHOUT ROWID""",
          """
          CREATE TABLE model_version_files (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (model_id, version, path),
            FOREIGN KEY (model_id, version)
              REFERENCES model_versions(model_id, version) ON DELETE CASCADE
          ) WITHOUT ROWID""",
          """
          CREATE TABLE model_version_tags (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, version, key),
            FOREIGN KEY (model_id, version)
              REFERENCES model_versions(model_id, version) ON DELETE CASCADE
          ) WITHOUT ROWID""",
          """
          CREATE TABLE model_aliases (
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (model_id, alias),
            FOREIGN KEY (model_id, version)
              REFERENCES model_versions(model_id, version) ON DELETE CASCADE
          ) WITHOUT ROWID""");

  /** Migration {@code i} takes the schema from version {@code i} to {@code i + 1}. */
  private static final List<List<String>> MIGRATIONS = List.of(V1);

  static final int LATEST = MIGRATIONS.size();

  private Schema() {}

  static void migrate(Connection c, Path file) throws SQLException {
    if (version(c) == LATEST) {
      return;
    }
    Database.inWriteTransaction(
        c,
        tx -> {
          int current = version(tx);
          if (current > LATEST) {
            throw new BackendException(
                LocalBackendPlugin.NAME,
                "the store "
                    + file
                    + " has schema version "
                    + current
                    + ", newer than this plugin understands ("
                    + LATEST
                    + "); upgrade the Tracelet local plugin to read it.");
          }
          try (Statement s = tx.createStatement()) {
            for (int v = current; v < LATEST; v++) {
              for (String sql : MIGRATIONS.get(v)) {
                s.execute(sql);
              }
            }
            s.execute("PRAGMA user_version = " + LATEST);
          }
          return null;
        });
  }

  static int version(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
