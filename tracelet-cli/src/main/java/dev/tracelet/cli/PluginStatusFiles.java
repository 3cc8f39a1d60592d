package dev.tracelet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * PF4J's {@code enabled.txt} and {@code disabled.txt} in the first plugins folder, where the host's
 * plugin manager reads them when it starts: one plugin id per line, {@code #} comments. A plugin is
 * disabled if {@code disabled.txt} lists it, or if {@code enabled.txt} lists any plugin and not
 * this one. Comments and other ids are kept when a file is rewritten.
 */
final class PluginStatusFiles {
  private final Path enabled;
  private final Path disabled;

  PluginStatusFiles(Path folder) {
    this.enabled = folder.resolve("enabled.txt");
    this.disabled = folder.resolve("disabled.txt");
  }

  /** Removes {@code id} from {@code disabled.txt}; adds it to a non-empty {@code enabled.txt}. */
  void enable(String id) {
    remove(disabled, id);
    List<String> listed = ids(enabled);
    if (!listed.isEmpty() && !listed.contains(id)) {
      add(enabled, id);
    }
  }

  /** Adds {@code id} to {@code disabled.txt} and removes it from {@code enabled.txt}. */
  void disable(String id) {
    remove(enabled, id);
    if (!ids(disabled).contains(id)) {
      add(disabled, id);
    }
  }

  /** Whether the host would leave {@code id} disabled, by PF4J's rule. */
  boolean isDisabled(String id) {
    List<String> allow = ids(enabled);
    return ids(disabled).contains(id) || (!allow.isEmpty() && !allow.contains(id));
  }

  Path enabledFile() {
    return enabled;
  }

  Path disabledFile() {
    return disabled;
  }

  private static List<String> ids(Path file) {
    List<String> ids = new ArrayList<>();
    for (String line : lines(file)) {
      String t = line.trim();
      if (!t.isEmpty() && !t.startsWith("#")) {
        ids.add(t);
      }
    }
    return ids;
  }

  private static void add(Path file, String id) {
    List<String> lines = lines(file);
    lines.add(id);
    write(file, lines);
  }

  private static void remove(Path file, String id) {
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = lines(file);
    if (lines.removeIf(l -> l.trim().equals(id))) {
      write(file, lines);
    }
  }

  private static List<String> lines(Path file) {
    if (!Files.exists(file)) {
      return new ArrayList<>();
    }
    try {
      return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file, List<String> lines) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
