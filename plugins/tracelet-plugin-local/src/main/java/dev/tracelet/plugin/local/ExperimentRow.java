package dev.tracelet.plugin.local;

import dev.tracelet.api.ExperimentNotFoundException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** One live row of the {@code experiments} table, and the queries that find or create one. */
record ExperimentRow(long id, String name, long createdAt) {

  /**
   * Looks up a live experiment. Ids are decimal numbers and names never are (see {@link
   * Names#experimentName}), so an all-digit argument is an id and anything else a name: an
   * experiment called "5" cannot shadow, or be shadowed by, the experiment with id 5.
   */
  static Optional<ExperimentRow> find(Connection c, String idOrName) throws SQLException {
    boolean byId = Names.isExperimentId(idOrName);
    String sql =
        "SELECT id, name, created_at FROM experiments WHERE deleted_at IS NULL AND "
            + (byId ? "id = ?" : "name = ?");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (byId) {
        ps.setLong(1, Long.parseLong(idOrName));
      } else {
        ps.setString(1, idOrName);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new ExperimentRow(rs.getLong(1), rs.getString(2), rs.getLong(3)))
            : Optional.empty();
      }
    }
  }

  static ExperimentRow require(Connection c, String idOrName) throws SQLException {
    return find(c, idOrName)
        .orElseThrow(
            () ->
                new ExperimentNotFoundException(
                    "No experiment with "
                        + (Names.isExperimentId(idOrName) ? "id " : "name '")
                        + Names.printable(idOrName)
                        + (Names.isExperimentId(idOrName) ? "" : "'")
                        + " in the local store; list them with listExperiments()"));
  }

  /**
   * The id of the live experiment called {@code name}, created if there is none. Must run inside a
   * write transaction: {@code BEGIN IMMEDIATE} serialises this check-then-insert across processes,
   * and the partial unique index on live names backs it up.
   */
  static long getOrCreate(Connection c, String name, long now) throws SQLException {
    Names.experimentName(name);
    Optional<ExperimentRow> existing = find(c, name);
    if (existing.isPresent()) {
      return existing.get().id();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO experiments(name, created_at) VALUES (?, ?)",
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
}
