package dev.tracelet.plugin.local;

import java.util.regex.Pattern;

/**
 * The naming rules of the store. Keys of metrics, parameters and tags live only inside the
 * database, so no key can reach the file system; model names and aliases become folder names and
 * are held to a strict pattern; artifact paths go through {@link
 * dev.tracelet.api.artifact.ArtifactPaths}.
 */
final class Names {
  static final int MAX_KEY = 250;
  private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");
  private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

  private Names() {}

  /** Run ids are the runtime's 32 lower-case hex characters. */
  static String runId(String id) {
    if (id == null || !RUN_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "run id '" + printable(id) + "' is not 32 lower-case hex characters");
    }
    return id;
  }

  static boolean isRunId(String s) {
    return RUN_ID.matcher(s).matches();
  }

  /** Experiment ids are decimal numbers; names may not look like one, so lookups never clash. */
  static boolean isExperimentId(String s) {
    return DIGITS.matcher(s).matches() && s.length() < 19;
  }

  static String experimentName(String name) {
    text(name, "experiment name", 256);
    if (DIGITS.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "experiment name '"
              + name
              + "' is all digits and would be taken for an experiment id; add a letter"
              + " (e.g. 'exp-"
              + name
              + "')");
    }
    return name;
  }

  /** Metric, parameter and tag keys. */
  static String key(String key, String what) {
    return text(key, what, MAX_KEY);
  }

  static String modelName(String name) {
    if (name == null
        || !MODEL.matcher(name).matches()
        || name.equals(".")
        || name.equals("..")
        || name.contains("..")) {
      throw new IllegalArgumentException(
          "model name '"
              + printable(name)
              + "' is not valid: use 1-128 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit, without '..'");
    }
    return name;
  }

  static String alias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches() || alias.equalsIgnoreCase("latest")) {
      throw new IllegalArgumentException(
          "alias '"
              + printable(alias)
              + "' is not valid: use 1-64 letters, digits, '_' or '-', starting with a letter;"
              + " 'latest' is reserved");
    }
    return alias;
  }

  private static String text(String s, String what, int max) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (s.length() > max) {
      throw new IllegalArgumentException(
          what + " '" + printable(s) + "' is longer than " + max + " characters");
    }
    if (!s.strip().equals(s)) {
      throw new IllegalArgumentException(
          what + " '" + printable(s) + "' must not start or end with white space");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw new IllegalArgumentException(
            what + " '" + printable(s) + "' must not contain control characters");
      }
    }
    return s;
  }

  static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(120)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return s.length() > 120 ? b + "…" : b.toString();
  }
}
