package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.RunInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One row of the {@code runs} table, and the queries that read it. */
record RunRow(
    long seq,
    String id,
    long experimentId,
    String name,
    RunStatus status,
    long startTime,
    @Nullable Long endTime,
    long lastSeen,
    @Nullable String ownerHost,
    @Nullable String ownerBoot,
    @Nullable Long ownerPid,
    @Nullable Long ownerStart,
    @Nullable Long deletedAt) {

  static final String COLUMNS =
      "r.seq, r.id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.last_seen,"
          + " r.owner_host, r.owner_boot, r.owner_pid, r.owner_start, r.deleted_at";

  boolean deleted() {
    return deletedAt != null;
  }

  RunInfo toInfo() {
    return new RunInfo(
        id,
        Long.toString(experimentId),
        name,
        status,
        Instant.ofEpochMilli(startTime),
        endTime == null ? null : Instant.ofEpochMilli(endTime));
  }

  /**
   * This row as a reader should see it: a RUNNING run whose owner process on this host is gone
   * reads as KILLED, ended at the last time it wrote.
   */
  RunRow withLiveness() {
    if (status != RunStatus.RUNNING || ownerPid == null) {
      return this;
    }
    if (ProcessOwner.liveness(ownerHost, ownerBoot, ownerPid, ownerStart)
        != ProcessOwner.Liveness.DEAD) {
      return this;
    }
    return new RunRow(
        seq,
        id,
        experimentId,
        name,
        RunStatus.KILLED,
        startTime,
        lastSeen,
        lastSeen,
        ownerHost,
        ownerBoot,
        ownerPid,
        ownerStart,
        deletedAt);
  }

  static RunRow read(ResultSet rs) throws SQLException {
    return new RunRow(
        rs.getLong(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getString(4),
        RunStatus.valueOf(rs.getString(5)),
        rs.getLong(6),
        nullableLong(rs, 7),
        rs.getLong(8),
        rs.getString(9),
        rs.getString(10),
        nullableLong(rs, 11),
        nullableLong(rs, 12),
        nullableLong(rs, 13));
  }

  static Optional<RunRow> find(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM runs r WHERE r.id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /** Live (not deleted) runs of an experiment, oldest first. */
  static List<RunRow> ofExperiment(Connection c, long experimentId) throws SQLException {
    List<RunRow> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM runs r WHERE r.experiment_id = ? AND r.deleted_at IS NULL"
                + " ORDER BY r.start_time, r.seq")) {
      ps.setLong(1, experimentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(read(rs).withLiveness());
        }
      }
    }
    return rows;
  }

  /**
   * Persists KILLED for every RUNNING run on this host whose owner process is gone, so the verdict
   * is recorded once rather than re-derived by every reader; returns how many were marked. The
   * update is conditional on the row still being RUNNING under the same owner, so a session that
   * resumed the run in the meantime wins.
   */
  static int markDeadRunsKilled(Database db) {
    ProcessOwner here = ProcessOwner.current();
    List<RunRow> dead =
        db.read(
            "list running runs",
            c -> {
              List<RunRow> found = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT "
                          + COLUMNS
                          + " FROM runs r WHERE r.status = 'RUNNING' AND r.owner_host = ?")) {
                ps.setString(1, here.host());
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    RunRow row = read(rs);
                    if (row.withLiveness().status() == RunStatus.KILLED) {
                      found.add(row);
                    }
                  }
                }
              }
              return found;
            });
    if (dead.isEmpty()) {
      return 0;
    }
    try {
      return persistKilled(db, dead);
    } catch (BackendException e) {
      // A read must not fail because the verdict could not be written (a read-only copy of a
      // store, a long lock): readers derive KILLED themselves through withLiveness().
      return 0;
    }
  }

  private static int persistKilled(Database db, List<RunRow> dead) {
    return db.write(
        "mark runs of dead processes KILLED",
        c -> {
          int n = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET status = 'KILLED', end_time = last_seen"
                      + " WHERE seq = ? AND status = 'RUNNING' AND owner_pid = ?"
                      + " AND owner_host IS ?")) {
            for (RunRow row : dead) {
              ps.setLong(1, row.seq());
              ps.setLong(2, row.ownerPid() == null ? -1 : row.ownerPid());
              ps.setString(3, row.ownerHost());
              n += ps.executeUpdate();
            }
          }
          return n;
        });
  }

  static @Nullable Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
