package dev.tracelet.plugin.wandb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the password of one machine from a {@code .netrc} file, where {@code wandb login} keeps the
 * API key ({@code machine api.wandb.ai login user password <key>}). Tokens are whitespace
 * separated; {@code default} applies when no machine matches; {@code macdef} bodies are skipped.
 */
final class Netrc {
  private Netrc() {}

  /** The password for {@code host}, or empty when the file is missing or has none. */
  static Optional<String> password(Path file, String host) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return password(Files.readString(file, StandardCharsets.UTF_8), host);
  }

  static Optional<String> password(String content, String host) {
    List<String> tokens = tokens(content);
    String fallback = null;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      boolean machine = t.equals("machine") && i + 1 < tokens.size();
      boolean dflt = t.equals("default");
      if (!machine && !dflt) {
        continue;
      }
      String name = machine ? tokens.get(++i) : null;
      String password = null;
      int j = i + 1;
      for (; j < tokens.size(); j++) {
        String k = tokens.get(j);
        if (k.equals("machine") || k.equals("default")) {
          break;
        }
        if (k.equals("password") && j + 1 < tokens.size()) {
          password = tokens.get(++j);
        }
      }
      i = j - 1;
      if (password == null) {
        continue;
      }
      if (dflt) {
        fallback = password;
      } else if (host.equalsIgnoreCase(name)) {
        return Optional.of(password);
      }
    }
    return Optional.ofNullable(fallback);
  }

  /** Splits into tokens, dropping comments and macro definitions (which end at a blank line). */
  private static List<String> tokens(String content) {
    List<String> out = new ArrayList<>();
    String[] lines = content.split("\r?\n", -1);
    boolean inMacro = false;
    for (String line : lines) {
      if (inMacro) {
        inMacro = !line.isBlank();
        continue;
      }
      String stripped = line.strip();
      if (stripped.startsWith("#")) {
        continue;
      }
      for (String t : stripped.split("\\s+")) {
        if (t.isEmpty()) {
          continue;
        }
        if (t.equals("macdef")) {
          inMacro = true;
          break;
        }
        out.add(t);
      }
    }
    return out;
  }
}
