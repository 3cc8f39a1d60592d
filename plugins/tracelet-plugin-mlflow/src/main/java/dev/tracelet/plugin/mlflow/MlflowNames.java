package dev.tracelet.plugin.mlflow;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * MLflow's rules for metric, parameter and tag keys and for value lengths ({@code
 * mlflow/utils/validation.py}), kept to what every 2.x and 3.x server accepts.
 */
final class MlflowNames {
  /** Portable key characters: current servers also allow ':', older ones do not. */
  private static final Pattern KEY =
      Pattern.compile("[/\\w.\\- ]*", Pattern.UNICODE_CHARACTER_CLASS);

  static final int MAX_KEY_LENGTH = 250;
  static final int MAX_PARAM_VALUE_LENGTH = 6_000;

  /** Newer servers take 8,000; 5,000 is what every server takes. */
  static final int MAX_TAG_VALUE_LENGTH = 5_000;

  static final int MAX_EXPERIMENT_NAME_LENGTH = 500;

  private static final Pattern ALIAS =
      Pattern.compile("[\\w\\-]*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern VERSION_LIKE = Pattern.compile("[vV]\\d+");

  private MlflowNames() {}

  /** Why {@code key} is not a valid MLflow {@code kind} key, or empty when it is. */
  static Optional<String> keyProblem(String kind, String key) {
    String problem = null;
    if (key.isEmpty()) {
      problem = "is empty";
    } else if (key.codePointCount(0, key.length()) > MAX_KEY_LENGTH) {
      problem = "is longer than " + MAX_KEY_LENGTH + " characters";
    } else if (!KEY.matcher(key).matches()) {
      problem =
          "may only hold letters, digits, '_', '-', '.', ' ' and '/'"
              + (key.indexOf(':') >= 0 ? " (':' is refused by MLflow servers before 2.x)" : "");
    } else if (!isNormalisedPath(key)) {
      problem = "must be a normalised path (no leading '/', no '//', './', '../' or trailing '/')";
    }
    return Optional.ofNullable(problem)
        .map(p -> "MLflow " + kind + " key '" + printable(key) + "' " + p + "; rename it");
  }

  /** {@code posixpath.normpath(key) == key}, not "." and not starting with ".." or "/". */
  private static boolean isNormalisedPath(String key) {
    if (key.startsWith("/") || key.startsWith("..") || key.equals(".")) {
      return false;
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** Why {@code alias} cannot name a model version, or empty when it can. */
  static Optional<String> aliasProblem(String alias) {
    if (alias.isEmpty() || alias.length() > 255 || !ALIAS.matcher(alias).matches()) {
      return Optional.of(
          "Alias '" + printable(alias) + "' must be 1-255 letters, digits, '_' or '-'");
    }
    if (alias.equalsIgnoreCase("latest") || VERSION_LIKE.matcher(alias).matches()) {
      return Optional.of(
          "Alias '" + alias + "' is reserved by MLflow ('latest' and v<number> name versions)");
    }
    return Optional.empty();
  }

  /** {@code value} cut to at most {@code max} code points (MLflow counts Python characters). */
  static String truncate(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    if (value.codePointCount(0, value.length()) <= max) {
      return value;
    }
    return value.substring(0, value.offsetByCodePoints(0, max));
  }

  static boolean fits(String value, int max) {
    return value.length() <= max || value.codePointCount(0, value.length()) <= max;
  }

  static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    StringBuilder b = new StringBuilder();
    cut.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.toString();
  }
}
