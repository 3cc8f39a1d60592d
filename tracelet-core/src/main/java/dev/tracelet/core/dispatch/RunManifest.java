package dev.tracelet.core.dispatch;

import dev.tracelet.api.RunStatus;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What a later {@code tracelet sync} needs to recreate an offline run on a backend: its name,
 * project, tags and how it ended. Written beside the backend's journal when an offline run ends
 * (atomically: temp file, then rename); deleted with the journal once the sync delivered it.
 *
 * @param runId the run id
 * @param backend the backend the journal is for
 * @param name the experiment (run) name
 * @param project the project
 * @param tags the run's start tags
 * @param status how the run ended
 */
public record RunManifest(
    String runId,
    String backend,
    String name,
    String project,
    List<String> tags,
    RunStatus status) {
  public RunManifest {
    tags = List.copyOf(tags);
  }

  static Path file(Path journalDir, String runId, String backend) {
    return journalDir.resolve(runId).resolve(backend + ".run.properties");
  }

  void write(Path journalDir) throws IOException {
    Path target = file(journalDir, runId, backend);
    Files.createDirectories(target.getParent());
    Properties p = new Properties();
    p.setProperty("run_id", runId);
    p.setProperty("backend", backend);
    p.setProperty("name", name);
    p.setProperty("project", project);
    p.setProperty("tags", String.join("\n", tags));
    p.setProperty("status", status.name());
    Path tmp = Files.createTempFile(target.getParent(), backend, ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "Tracelet offline run; replay with: tracelet sync " + runId);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The manifests of every offline run journaled under {@code journalDir}. */
  public static List<RunManifest> findAll(Path journalDir) throws IOException {
    List<RunManifest> out = new ArrayList<>();
    if (!Files.isDirectory(journalDir)) {
      return out;
    }
    try (var runs = Files.list(journalDir)) {
      for (Path run : runs.sorted().toList()) {
        if (!Files.isDirectory(run)) {
          continue;
        }
        try (var files = Files.list(run)) {
          for (Path f : files.sorted().toList()) {
            String n = f.getFileName().toString();
            if (n.endsWith(".run.properties")) {
              read(f).ifPresent(out::add);
            }
          }
        }
      }
    }
    return out;
  }

  private static Optional<RunManifest> read(Path f) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String tags = p.getProperty("tags", "");
    try {
      return Optional.of(
          new RunManifest(
              p.getProperty("run_id"),
              p.getProperty("backend"),
              p.getProperty("name"),
              p.getProperty("project"),
              tags.isEmpty() ? List.of() : List.of(tags.split("\n")),
              RunStatus.valueOf(p.getProperty("status"))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Removes this manifest (after its journal was delivered). */
  public void delete(Path journalDir) throws IOException {
    Path f = file(journalDir, runId, backend);
    Files.deleteIfExists(f);
    try (var s = Files.list(f.getParent())) {
      if (s.findAny().isEmpty()) {
        Files.deleteIfExists(f.getParent());
      }
    } catch (IOException e) {
      // The folder may already be gone, or hold another backend's journal.
    }
  }
}
