package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The store's files: {@code artifacts/<run_id>/<artifact name>/<path>} and {@code
 * registry/<model>/<version>/…}, staged under {@code tmp/} and moved into place with one atomic
 * rename, so a reader never sees half an artifact and a crash leaves only a stray staging folder.
 * Every path is checked to stay under its root after normalisation.
 */
final class ArtifactFiles {
  private final Path artifactsRoot;
  private final Path registryRoot;
  private final Path stagingRoot;

  ArtifactFiles(Path root) {
    this.artifactsRoot = root.resolve("artifacts");
    this.registryRoot = root.resolve("registry");
    this.stagingRoot = root.resolve("tmp");
  }

  Path artifactsRoot() {
    return artifactsRoot;
  }

  Path registryRoot() {
    return registryRoot;
  }

  /** One stored file: path relative to its artifact, size, SHA-256, description. */
  record StoredFile(String path, long size, String sha256, @Nullable String description) {}

  /** Files copied into a staging folder, ready to be moved into place. */
  record Staged(Path dir, List<StoredFile> files) {}

  Path runDir(String runId) {
    return inside(artifactsRoot, Names.runId(runId));
  }

  Path artifactDir(String runId, String artifactName) {
    return inside(runDir(runId), artifactName);
  }

  /** {@code base/relative}, refusing anything that would leave {@code base}. */
  static Path inside(Path base, String relative) {
    ArtifactPaths.requireSafeRelative(relative, "path");
    Path resolved = base.resolve(relative).normalize();
    if (!resolved.startsWith(base.normalize()) || resolved.equals(base.normalize())) {
      throw new IllegalArgumentException("path '" + relative + "' escapes " + base);
    }
    return resolved;
  }

  /**
   * Copies an artifact's files into a new staging folder, hashing while copying, and checks each
   * against the checksum taken when it was added: a file changed in between is refused rather than
   * stored under a checksum it does not have.
   */
  Staged stage(List<ArtifactFile> files) {
    Path dir = newStagingDir();
    List<StoredFile> stored = new ArrayList<>(files.size());
    try {
      for (ArtifactFile f : files) {
        Path target = inside(dir, f.artifactPath());
        String sha = copyHashing(f.localPath(), target);
        if (!sha.equals(f.checksum())) {
          throw new BackendException(
              LocalBackendPlugin.NAME,
              "artifact file "
                  + f.localPath()
                  + " changed after it was added (SHA-256 was "
                  + f.checksum()
                  + ", now "
                  + sha
                  + "); add it again once it is written completely");
        }
        stored.add(new StoredFile(f.artifactPath(), Files.size(target), sha, f.description()));
      }
      return new Staged(dir, stored);
    } catch (IOException e) {
      deleteTree(dir);
      throw new BackendException(
          LocalBackendPlugin.NAME, "cannot copy artifact files into the store: " + e, e);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  /**
   * Copies a file or a folder of the store into staging as {@code leafName}, checking each file
   * against {@code expected} (relative path → SHA-256) so that a registered copy is exactly what
   * the run logged.
   */
  Staged stageCopy(Path source, String leafName, Map<String, String> expected) {
    Path dir = newStagingDir();
    List<StoredFile> stored = new ArrayList<>();
    try {
      Path target = inside(dir, leafName);
      if (Files.isDirectory(source)) {
        try (Stream<Path> walk = Files.walk(source)) {
          for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
            String rel = source.relativize(p).toString().replace('\\', '/');
            stored.add(copyChecked(p, inside(target, rel), leafName + "/" + rel, expected));
          }
        }
      } else {
        stored.add(copyChecked(source, target, leafName, expected));
      }
      return new Staged(dir, stored);
    } catch (IOException e) {
      deleteTree(dir);
      throw new BackendException(
          LocalBackendPlugin.NAME, "cannot copy " + source + " into the registry: " + e, e);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  private StoredFile copyChecked(Path from, Path to, String key, Map<String, String> expected)
      throws IOException {
    String sha = copyHashing(from, to);
    String want = expected.get(key);
    if (want != null && !want.equals(sha)) {
      throw new BackendException(
          LocalBackendPlugin.NAME,
          "artifact file "
              + from
              + " no longer matches the SHA-256 recorded when it was logged; the store's copy was"
              + " modified outside Tracelet");
    }
    return new StoredFile(key, Files.size(to), sha, null);
  }

  /**
   * Moves a staged folder to {@code target} with one rename. Fails if {@code target} exists: an
   * artifact is never overwritten.
   */
  static void moveIntoPlace(Path staged, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged, target);
    }
  }

  private Path newStagingDir() {
    Path dir = stagingRoot.resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BackendException(
          LocalBackendPlugin.NAME, "cannot create a staging folder under " + stagingRoot, e);
    }
    return dir;
  }

  /** Copies {@code from} to {@code to} (creating parents) and returns the copy's SHA-256. */
  static String copyHashing(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(from), md);
        OutputStream out = Files.newOutputStream(to)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** Deletes a folder tree, or a file; absent is fine. */
  static void deleteTree(Path root) {
    try {
      if (!Files.exists(root)) {
        return;
      }
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              file.toFile().setWritable(true);
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException ignored) {
      // Someone else removed it first.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Makes every file under {@code root} read-only: a registered copy is not to be edited. */
  static void makeReadOnly(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile)
          .sorted(Comparator.reverseOrder())
          .forEach(p -> p.toFile().setWritable(false, false));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + root + " read-only", e);
    }
  }
}
