package com.example.tracelet.jsonl;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactPaths;
import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One run's JSON-lines file. Every call appends whole lines with one write and, on failure, cuts
 * the file back to where it was, so a batch is either all there or not there at all: the host's
 * retry of a failed batch stores it exactly once.
 *
 * <p>The file is opened for each call rather than held open: the session keeps no descriptor
 * between calls, log rotation can move the file, and a folder that went away (an unmounted share)
 * makes the call fail, and the host retry it, instead of writing into a fresh file.
 *
 * <p>Called from one host thread at a time, as the SPI promises, so it keeps no locks.
 */
final class JsonlSession implements BackendSession {
  private static final BackendCapabilities CAPABILITIES =
      BackendCapabilities.defaults().withMaxBatchEvents(10_000);

  private final Path file;
  private final Path artifactsDir;
  private final boolean fsync;
  private final System.Logger logger;
  private final Map<String, Integer> artifactVersions = new LinkedHashMap<>();
  private RunStatus closedWith;

  private JsonlSession(Path file, Path artifactsDir, boolean fsync, System.Logger logger) {
    this.file = file;
    this.artifactsDir = artifactsDir;
    this.fsync = fsync;
    this.logger = logger;
  }

  /** Starts (or, on a resume, continues) the run's file with a {@code run} line. */
  static JsonlSession open(BackendContext context, Path dir, boolean fsync) {
    Path file = dir.resolve(context.runId() + ".jsonl");
    JsonlSession session =
        new JsonlSession(
            file, dir.resolve(context.runId()).resolve("artifacts"), fsync, context.logger());
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("type", "run");
    start.put("run_id", context.runId());
    start.put("name", context.experimentName());
    start.put("project", context.project());
    start.put("tags", context.tags());
    start.put("start_time", context.startTime().toString());
    start.put("resumed", context.resumed());
    start.put("host_version", context.hostVersion());
    session.append(List.of(start), StandardOpenOption.CREATE);
    if (context.resumed()) {
      session.countArtifactVersions();
    }
    return session;
  }

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen("log");
    if (batch.isEmpty()) {
      return;
    }
    List<Object> lines = new ArrayList<>(batch.size());
    for (ParamEvent p : batch.params()) {
      lines.add(line("param", "key", p.key(), "value", p.value()));
    }
    for (TagEvent t : batch.tags()) {
      lines.add(line("tag", "key", t.key(), "value", t.value()));
    }
    for (MetricEvent m : batch.metrics()) {
      Map<String, Object> line = line("metric", "key", m.name(), "value", m.value());
      line.put("step", m.step());
      line.put("timestamp", m.timestamp());
      lines.add(line);
    }
    append(lines);
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    requireOpen("logArtifact");
    String name = ArtifactPaths.requireSafeRelative(artifact.name(), "artifact name");
    int version = artifactVersions.getOrDefault(name, 0) + 1;
    Path target = artifactsDir.resolve(name).resolve("v" + version);
    List<Map<String, Object>> files = new ArrayList<>();
    try {
      Files.createDirectories(target);
      for (ArtifactFile f : artifact.files()) {
        copyChecked(artifact, f, target.resolve(f.artifactPath()));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("path", f.artifactPath());
        entry.put("size", f.sizeBytes());
        entry.put("sha256", f.checksum());
        files.add(entry);
      }
    } catch (IOException e) {
      throw new BackendException(
          JsonlBackendPlugin.NAME, "cannot store artifact '" + name + "': " + e, e);
    }
    List<String> references = new ArrayList<>();
    for (ArtifactReference r : artifact.references()) {
      references.add(r.uri().toString());
    }
    Map<String, Object> line = line("artifact", "name", name, "version", "v" + version);
    line.put("artifact_type", artifact.type().value());
    line.put("files", files);
    line.put("references", references);
    line.put("metadata", artifact.metadata());
    line.put("uri", target.toUri().toString());
    append(List.of(line));
    // Counted only once the line is written: a failed call is retried under the same version.
    artifactVersions.put(name, version);
    return new ArtifactResult(
        JsonlBackendPlugin.NAME,
        target.toUri().toString(),
        "v" + version,
        Map.of("files", files.size()));
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.empty();
  }

  @Override
  public void close(RunStatus status) {
    if (closedWith != null) {
      return;
    }
    Map<String, Object> end = line("end", "status", status.name(), "end_time", now());
    // Closed even if the last line cannot be written: the host calls close once, and a session
    // that stays open would accept events nobody will read.
    closedWith = status;
    try {
      append(List.of(end));
    } catch (BackendException e) {
      logger.log(System.Logger.Level.WARNING, "run end not recorded in " + file + ": " + e);
    }
  }

  private void append(List<?> lines, OpenOption... extra) {
    StringBuilder text = new StringBuilder();
    for (Object line : lines) {
      text.append(Json.write(line)).append('\n');
    }
    ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
    List<OpenOption> options =
        new ArrayList<>(List.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    options.addAll(List.of(extra));
    try (FileChannel ch = FileChannel.open(file, options.toArray(OpenOption[]::new))) {
      long before = ch.size();
      try {
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
        if (fsync) {
          ch.force(false);
        }
      } catch (IOException e) {
        // All or nothing: a retried batch must not find half of itself already there.
        ch.truncate(before);
        throw e;
      }
    } catch (IOException e) {
      throw new BackendException(
          JsonlBackendPlugin.NAME, "cannot append to " + file + ": " + e, e);
    }
  }

  /** Copies through a temporary file, so a failed copy never leaves a partial file in place. */
  private static void copyChecked(TraceletArtifact artifact, ArtifactFile f, Path dest)
      throws IOException {
    Files.createDirectories(dest.getParent());
    Path tmp = Files.createTempFile(dest.getParent(), ".part-", ".tmp");
    try {
      Files.copy(f.localPath(), tmp, StandardCopyOption.REPLACE_EXISTING);
      String sha = TraceletArtifact.sha256(tmp);
      if (!sha.equals(f.checksum())) {
        throw new BackendException(
            JsonlBackendPlugin.NAME,
            "file "
                + f.localPath()
                + " of artifact '"
                + artifact.name()
                + "' changed after it was added (SHA-256 "
                + sha
                + ", expected "
                + f.checksum()
                + ")");
      }
      Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** On a resume: the versions the earlier sessions gave, so new ones do not overwrite them. */
  private void countArtifactVersions() {
    if (!Files.isDirectory(artifactsDir)) {
      return;
    }
    try (Stream<Path> names = Files.list(artifactsDir)) {
      for (Path name : names.toList()) {
        try (Stream<Path> versions = Files.list(name)) {
          int highest =
              versions
                  .map(v -> v.getFileName().toString())
                  .filter(v -> v.matches("v[0-9]+"))
                  .mapToInt(v -> Integer.parseInt(v.substring(1)))
                  .max()
                  .orElse(0);
          artifactVersions.put(name.getFileName().toString(), highest);
        }
      }
    } catch (IOException e) {
      throw new BackendException(
          JsonlBackendPlugin.NAME, "cannot list the artifacts in " + artifactsDir + ": " + e, e);
    }
  }

  private void requireOpen(String operation) {
    if (closedWith != null) {
      throw new IllegalStateException(
          "jsonl: "
              + operation
              + "() after the session of "
              + file.getFileName()
              + " was closed ("
              + closedWith
              + ")");
    }
  }

  private static Map<String, Object> line(
      String type, String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  private static String now() {
    return Instant.now().toString();
  }
}
