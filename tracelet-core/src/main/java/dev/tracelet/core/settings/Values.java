package dev.tracelet.core.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for setting values. Each throws {@link IllegalArgumentException} whose message is the
 * accepted form, which the loader wraps with the key, the value and its origin.
 */
final class Values {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern BYTE_SIZE =
      Pattern.compile("(\\d{1,19})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Values() {}

  static String nonEmpty(String v) {
    String t = v.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("a non-empty text");
    }
    return t;
  }

  static boolean bool(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException("true or false (also 1/0, yes/no, on/off)");
    };
  }

  static int positiveInt(String v) {
    try {
      int n = Integer.parseInt(v.trim().replace("_", ""));
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("a whole number of at least 1");
  }

  /**
   * A size in bytes: a number with an optional unit ({@code 64MB}, {@code 512k}, {@code 1g}); units
   * are binary (1 KB = 1024 bytes), as memory sizes are in the JVM's own options.
   */
  static long byteSize(String v, long min) {
    Matcher m = BYTE_SIZE.matcher(v.trim());
    String form = "a size such as 64MB, 512KB or 1GB (at least " + (min >> 20) + "MB)";
    if (!m.matches()) {
      throw new IllegalArgumentException(form);
    }
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int shift =
        switch (unit.isEmpty() ? ' ' : unit.charAt(0)) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          default -> 0;
        };
    try {
      long n = Long.parseLong(m.group(1));
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException(form);
      }
      long bytes = n << shift;
      if (bytes < min) {
        throw new IllegalArgumentException(form);
      }
      return bytes;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(form, e);
    }
  }

  /** Seconds as a number ({@code 1.5}) or with a unit: {@code 500ms}, {@code 2s}, {@code 1m}. */
  static Duration duration(String v, boolean zeroAllowed) {
    Matcher m = DURATION.matcher(v.trim());
    String form =
        "a duration: seconds as a number (1.5) or with a unit (500ms, 2s, 1m, 1h)"
            + (zeroAllowed ? "" : ", above zero");
    if (!m.matches()) {
      throw new IllegalArgumentException(form);
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    double nanosPerUnit =
        switch (unit) {
          case "ms" -> 1e6;
          case "m" -> 60e9;
          case "h" -> 3600e9;
          default -> 1e9;
        };
    Duration d = Duration.ofNanos(Math.round(n * nanosPerUnit));
    if (d.isZero() && !zeroAllowed) {
      throw new IllegalArgumentException(form);
    }
    return d;
  }

  /** Comma-separated items, trimmed; empty items dropped. */
  static List<String> list(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      String t = s.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  static Set<String> set(String v) {
    return new LinkedHashSet<>(list(v));
  }

  static List<String> backendNames(String v) {
    List<String> names = list(v.toLowerCase(Locale.ROOT));
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "one or more backend names separated by commas, such as local or local,mlflow");
    }
    for (String n : names) {
      if (!NAME.matcher(n).matches()) {
        throw new IllegalArgumentException(
            "backend names of lower-case letters, digits, '-' and '_' separated by commas,"
                + " such as local,mlflow");
      }
    }
    return List.copyOf(new LinkedHashSet<>(names));
  }

  static boolean offlineMode(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "online" -> false;
      case "offline" -> true;
      default -> throw new IllegalArgumentException("online or offline");
    };
  }

  static String runId(String v) {
    String t = v.trim();
    if (!RUN_ID.matcher(t).matches()) {
      throw new IllegalArgumentException("1-64 letters, digits, '-' or '_'");
    }
    return t;
  }
}
