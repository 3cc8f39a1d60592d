package dev.tracelet.plugin.local;

import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.plugin.local.ArtifactFiles.StoredFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The artifact index: which artifacts a run has, their files with SHA-256, and references. */
final class ArtifactIndex {
  private ArtifactIndex() {}

  /** An artifact as the index records it. */
  record StoredArtifact(
      long id,
      String name,
      ArtifactType type,
      @Nullable String description,
      long createdAt,
      String digest,
      String metadataJson,
      List<StoredFile> files,
      List<ArtifactReference> references) {

    /** The artifact rebuilt from the index, its files pointing into the store. */
    TraceletArtifact toArtifact(Path artifactDir) {
      List<ArtifactFile> fs = new ArrayList<>(files.size());
      for (StoredFile f : files) {
        fs.add(
            new ArtifactFile(
                ArtifactFiles.inside(artifactDir, f.path()),
                f.path(),
                f.description(),
                f.size(),
                f.sha256()));
      }
      TraceletArtifact base =
          new TraceletArtifact(name, type, description, Instant.ofEpochMilli(createdAt));
      for (ArtifactReference r : references) {
        base.addReference(r.uri(), r.sizeBytes(), r.description());
      }
      TraceletArtifact result = base.withFilesOnly(fs);
      Json.readMap(metadataJson).forEach(result::putMetadata);
      return result;
    }
  }

  /**
   * A content digest over file paths and checksums and reference URIs: equal content, equal digest.
   */
  static String digest(List<StoredFile> files, List<ArtifactReference> references) {
    MessageDigest md = ArtifactFiles.sha256();
    List<StoredFile> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(StoredFile::path));
    for (StoredFile f : sorted) {
      md.update(("f\0" + f.path() + "\0" + f.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    for (ArtifactReference r : references) {
      md.update(("r\0" + r.uri() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static long insert(
      Connection c,
      long runSeq,
      TraceletArtifact a,
      List<StoredFile> files,
      String digest,
      long now)
      throws SQLException {
    long id;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO artifacts(run_seq, name, type, description, created_at, logged_at,"
                + " digest, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setLong(1, runSeq);
      ps.setString(2, a.name());
      ps.setString(3, a.type().value());
      ps.setString(4, a.description());
      ps.setLong(5, a.createdAt().toEpochMilli());
      ps.setLong(6, now);
      ps.setString(7, digest);
      ps.setString(8, Json.write(a.metadata()));
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO artifact_files(artifact_id, path, size, sha256, description)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (StoredFile f : files) {
        ps.setLong(1, id);
        ps.setString(2, f.path());
        ps.setLong(3, f.size());
        ps.setString(4, f.sha256());
        ps.setString(5, f.description());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO artifact_refs(artifact_id, position, uri, size, description)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      int pos = 0;
      for (ArtifactReference r : a.references()) {
        ps.setLong(1, id);
        ps.setInt(2, pos++);
        ps.setString(3, r.uri().toString());
        if (r.sizeBytes() == null) {
          ps.setNull(4, Types.INTEGER);
        } else {
          ps.setLong(4, r.sizeBytes());
        }
        ps.setString(5, r.description());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return id;
  }

  static Optional<StoredArtifact> find(Connection c, long runSeq, String name) throws SQLException {
    for (StoredArtifact a : list(c, runSeq, name)) {
      return Optional.of(a);
    }
    return Optional.empty();
  }

  static List<StoredArtifact> list(Connection c, long runSeq) throws SQLException {
    return list(c, runSeq, null);
  }

  private static List<StoredArtifact> list(Connection c, long runSeq, @Nullable String name)
      throws SQLException {
    Map<Long, Object[]> heads = new LinkedHashMap<>();
    String where = name == null ? "" : " AND name = ?";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, name, type, description, created_at, digest, metadata FROM artifacts"
                + " WHERE run_seq = ?"
                + where
                + " ORDER BY name")) {
      ps.setLong(1, runSeq);
      if (name != null) {
        ps.setString(2, name);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          heads.put(
              rs.getLong(1),
              new Object[] {
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getString(6),
                rs.getString(7)
              });
        }
      }
    }
    List<StoredArtifact> result = new ArrayList<>(heads.size());
    try (PreparedStatement files =
            c.prepareStatement(
                "SELECT path, size, sha256, description FROM artifact_files"
                    + " WHERE artifact_id = ? ORDER BY path");
        PreparedStatement refs =
            c.prepareStatement(
                "SELECT uri, size, description FROM artifact_refs WHERE artifact_id = ?"
                    + " ORDER BY position")) {
      for (Map.Entry<Long, Object[]> e : heads.entrySet()) {
        long id = e.getKey();
        Object[] h = e.getValue();
        List<StoredFile> fs = new ArrayList<>();
        files.setLong(1, id);
        try (ResultSet rs = files.executeQuery()) {
          while (rs.next()) {
            fs.add(
                new StoredFile(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
          }
        }
        List<ArtifactReference> rf = new ArrayList<>();
        refs.setLong(1, id);
        try (ResultSet rs = refs.executeQuery()) {
          while (rs.next()) {
            rf.add(
                new ArtifactReference(
                    URI.create(rs.getString(1)), RunRow.nullableLong(rs, 2), rs.getString(3)));
          }
        }
        result.add(
            new StoredArtifact(
                id,
                (String) h[0],
                ArtifactType.fromValue((String) h[1]),
                (String) h[2],
                (Long) h[3],
                (String) h[4],
                (String) h[5],
                fs,
                rf));
      }
    }
    return result;
  }
}
