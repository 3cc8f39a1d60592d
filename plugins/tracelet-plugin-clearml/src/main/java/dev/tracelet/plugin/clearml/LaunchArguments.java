package dev.tracelet.plugin.clearml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The program's launch arguments as ClearML's {@code Args} section shows them, read from the JVM's
 * {@code sun.java.command} (main class or JAR, then the arguments; JVM options are not included).
 *
 * <p>Best effort, since the JVM keeps the command line as one string: it is split at white space,
 * so a quoted argument with spaces becomes several. {@code --name=value} and {@code --name value}
 * give {@code name}; a lone {@code --flag} or {@code -f} gives {@code true}; other arguments are
 * {@code arg0}, {@code arg1}, …. Values of names that look secret ({@code token}, {@code key},
 * {@code secret}, {@code password}, …) are replaced by {@code ****}.
 */
final class LaunchArguments {
  static final String REDACTED = "****";
  private static final Set<String> SECRET_WORDS =
      Set.of("token", "key", "secret", "password", "passwd", "credential", "auth");

  private final @Nullable String main;
  private final Map<String, String> args;

  private LaunchArguments(@Nullable String main, Map<String, String> args) {
    this.main = main;
    this.args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  static LaunchArguments of(@Nullable String command) {
    if (command == null || command.isBlank()) {
      return new LaunchArguments(null, Map.of());
    }
    String[] tokens = command.strip().split("\\s+");
    Map<String, String> args = new LinkedHashMap<>();
    int positional = 0;
    for (int i = 1; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.startsWith("-") && t.length() > 1 && !isNumber(t)) {
        String name = t.replaceFirst("^--?", "");
        String value;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        } else if (i + 1 < tokens.length
            && (!tokens[i + 1].startsWith("-") || isNumber(tokens[i + 1]))) {
          value = tokens[++i];
        } else {
          value = "true";
        }
        if (name.isEmpty()) {
          continue;
        }
        args.put(name, looksSecret(name) ? REDACTED : value);
      } else {
        args.put("arg" + positional++, t);
      }
    }
    return new LaunchArguments(tokens[0], args);
  }

  /** The main class or JAR, if known. */
  @Nullable String main() {
    return main;
  }

  /** Argument name to value, in command-line order. */
  Map<String, String> args() {
    return args;
  }

  static boolean looksSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String w : SECRET_WORDS) {
      if (n.contains(w)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
