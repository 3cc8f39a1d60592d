package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.plugin.local.ArtifactFiles.Staged;
import dev.tracelet.plugin.local.ArtifactFiles.StoredFile;
import dev.tracelet.plugin.local.ArtifactIndex.StoredArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One store folder: {@code tracelet.db} (SQLite, WAL), {@code artifacts/}, {@code registry/} and
 * {@code tmp/} for staging. Shared by every session and reader of that folder in this process.
 */
final class LocalStore implements AutoCloseable {
  private final Path root;
  private final LocalSettings settings;
  private final System.Logger logger;
  private final Database db;
  private final ArtifactFiles files;
  private final LocalRunStore runStore;

  private LocalStore(LocalSettings settings, System.Logger logger, Database db) {
    this.root = settings.dir();
    this.settings = settings;
    this.logger = logger;
    this.db = db;
    this.files = new ArtifactFiles(root);
    this.runStore = new LocalRunStore(this);
  }

  /** Opens the store at {@code settings.dir()}, creating the folder and schema if needed. */
  static LocalStore open(LocalSettings settings, System.Logger logger) {
    try {
      Files.createDirectories(settings.dir());
    } catch (IOException e) {
      throw new BackendException(
          LocalBackendPlugin.NAME,
          "cannot create the store folder "
              + settings.dir()
              + ": "
              + e
              + "; set local.dir (TRACELET_LOCAL_DIR) to a writable folder",
          e);
    }
    Database db =
        Database.open(settings.dir().resolve(Database.FILE_NAME), settings.busyTimeoutMs());
    return new LocalStore(settings, logger, db);
  }

  Path root() {
    return root;
  }

  LocalSettings settings() {
    return settings;
  }

  System.Logger logger() {
    return logger;
  }

  Database db() {
    return db;
  }

  ArtifactFiles files() {
    return files;
  }

  LocalRunStore runStore() {
    return runStore;
  }

  /**
   * Stores an artifact of a run: files are staged and hashed first, then, holding the write lock,
   * the name is claimed in the index and the staged folder renamed into place. The same content
   * logged again under the same name (a retry) returns the first result; different content under a
   * taken name is refused: nothing is ever overwritten.
   */
  ArtifactResult logArtifact(Connection conn, RunRow run, TraceletArtifact artifact) {
    if (!artifact.objects().isEmpty()) {
      logger.log(
          System.Logger.Level.WARNING,
          "artifact ''{0}'' still holds {1} in-memory objects; the host writes objects to files"
              + " before delivery, so they are not stored",
          artifact.name(),
          artifact.objects().size());
    }
    Staged staged = files.stage(artifact.files());
    String digest = ArtifactIndex.digest(staged.files(), artifact.references());
    Path target = files.artifactDir(run.id(), artifact.name());
    try {
      return Database.inWriteTransaction(
          conn,
          c -> {
            Optional<StoredArtifact> existing = ArtifactIndex.find(c, run.seq(), artifact.name());
            if (existing.isPresent()) {
              if (existing.get().digest().equals(digest)) {
                return result(run, target, existing.get().files(), digest);
              }
              throw new BackendException(
                  LocalBackendPlugin.NAME,
                  "run "
                      + run.id()
                      + " already has an artifact named '"
                      + artifact.name()
                      + "' with different content; artifacts are never overwritten, log this one"
                      + " under another name");
            }
            try {
              // We hold the write lock and no index row names this folder, so anything there is
              // the leftover of an attempt that died before it committed.
              ArtifactFiles.deleteTree(target);
              ArtifactFiles.moveIntoPlace(staged.dir(), target);
            } catch (IOException e) {
              throw new BackendException(
                  LocalBackendPlugin.NAME, "cannot move artifact into " + target + ": " + e, e);
            }
            try {
              ArtifactIndex.insert(
                  c, run.seq(), artifact, staged.files(), digest, System.currentTimeMillis());
            } catch (SQLException | RuntimeException e) {
              ArtifactFiles.deleteTree(target);
              throw e;
            }
            return result(run, target, staged.files(), digest);
          });
    } catch (SQLException e) {
      throw Database.failure("cannot record artifact '" + artifact.name() + "'", e);
    } finally {
      ArtifactFiles.deleteTree(staged.dir());
    }
  }

  private static ArtifactResult result(
      RunRow run, Path target, java.util.List<StoredFile> stored, String digest) {
    long size = 0;
    for (StoredFile f : stored) {
      size += f.size();
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("run_id", run.id());
    meta.put("path", target.toString());
    meta.put("files", stored.size());
    meta.put("size_bytes", size);
    return new ArtifactResult(LocalBackendPlugin.NAME, target.toUri().toString(), digest, meta);
  }

  @Override
  public void close() {
    db.close();
  }
}
