package dev.tracelet.core.runtime;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one naming rule of Tracelet, checked on the caller's thread before anything is queued: a
 * metric, parameter or tag key is 1 to 250 characters of letters, digits and {@code _ - . / :} and
 * space (MLflow's rule, the strictest of the backends), with no empty, {@code .} or {@code ..} path
 * segment, so no key can name a path outside a store. Backends map this one rule to their own
 * (W&amp;B panels, ClearML title/series).
 */
final class Names {
  static final int MAX_KEY_LENGTH = 250;
  static final int MAX_DEPTH = 16;
  static final int MAX_PARAM_VALUE_CHARS = 1 << 20;

  /** What a valid key looks like, for the end of every message about an invalid one. */
  private static final String RULE =
      "use letters, digits, '_', '-', '.', ':', ' ' and '/' between non-empty segments";

  private Names() {}

  /** Checks a key; cheap enough for every {@code logMetric} call (one pass, no allocation). */
  static String requireKey(String kind, String key) {
    if (key == null) {
      throw new IllegalArgumentException(kind + " name must not be null; " + RULE);
    }
    int n = key.length();
    if (n == 0 || n > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          kind
              + " name must be 1-"
              + MAX_KEY_LENGTH
              + " characters, was "
              + n
              + " ("
              + describe(key)
              + "); "
              + RULE);
    }
    int segmentStart = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? key.charAt(i) : '/';
      if (c == '/') {
        int len = i - segmentStart;
        if (len == 0
            || (len == 1 && key.charAt(segmentStart) == '.')
            || (len == 2
                && key.charAt(segmentStart) == '.'
                && key.charAt(segmentStart + 1) == '.')) {
          throw invalid(kind, key, "an empty, '.' or '..' path segment");
        }
        segmentStart = i + 1;
      } else if (!allowed(c)) {
        throw invalid(kind, key, "the character " + printable(c));
      }
    }
    return key;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-'
        || c == '.'
        || c == ' '
        || c == ':';
  }

  private static IllegalArgumentException invalid(String kind, String key, String what) {
    return new IllegalArgumentException(
        kind + " name " + describe(key) + " has " + what + "; " + RULE);
  }

  private static String describe(String key) {
    StringBuilder b = new StringBuilder("'");
    key.codePoints()
        .limit(80)
        .forEach(c -> b.append(Character.isISOControl(c) ? printable(c) : Character.toString(c)));
    if (key.length() > 80) {
      b.append("…");
    }
    return b.append('\'').toString();
  }

  private static String printable(int c) {
    return Character.isISOControl(c) || Character.isWhitespace(c)
        ? String.format("U+%04X", c)
        : "'" + Character.toString(c) + "'";
  }

  /**
   * Turns a parameter value into what crosses the plugin boundary: String, Boolean, Long, Double,
   * or List/Map of those. Anything else is written with its {@code toString()}, unless that is the
   * identity default ({@code Foo@1b6d3586}), which would log nothing useful.
   */
  static Object paramValue(String key, Object value) {
    Object v = normalize(key, value, 0);
    if (v instanceof String s && s.length() > MAX_PARAM_VALUE_CHARS) {
      throw new IllegalArgumentException(
          "Parameter '"
              + key
              + "' is "
              + s.length()
              + " characters long; the limit is "
              + MAX_PARAM_VALUE_CHARS
              + ". Log large values as an artifact instead.");
    }
    return v;
  }

  private static Object normalize(String key, Object value, int depth) {
    if (value == null) {
      throw new IllegalArgumentException(
          "Parameter '" + key + "' is null; log a value, or leave the parameter out");
    }
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "Parameter '"
              + key
              + "' is nested more than "
              + MAX_DEPTH
              + " levels deep (a map or list that contains itself?); log a flatter value, or its"
              + " text");
    }
    if (value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float || value instanceof Double) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof BigDecimal || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof Character || value instanceof CharSequence) {
      return value.toString();
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object o : c) {
        out.add(normalize(key, o, depth + 1));
      }
      return List.copyOf(out);
    }
    if (value.getClass().isArray()) {
      int n = Array.getLength(value);
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(normalize(key, Array.get(value, i), depth + 1));
      }
      return List.copyOf(out);
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(text(key, e.getKey()), normalize(key, e.getValue(), depth + 1));
      }
      return java.util.Collections.unmodifiableMap(out);
    }
    String text = text(key, value);
    String identity =
        value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value));
    if (text == null || text.equals(identity)) {
      throw new IllegalArgumentException(
          "Parameter '"
              + key
              + "' is a "
              + value.getClass().getName()
              + " without a meaningful toString(); log its fields (captureHyperparams) or a"
              + " string, number, boolean, list or map");
    }
    return text;
  }

  /**
   * {@code value.toString()}; a toString that throws (a half-built object's may) is reported as the
   * parameter's problem, not as a stray exception from inside Tracelet.
   */
  private static String text(String key, Object value) {
    try {
      return String.valueOf(value);
    } catch (RuntimeException | StackOverflowError e) {
      throw new IllegalArgumentException(
          "Parameter '"
              + key
              + "' holds a "
              + value.getClass().getName()
              + " whose toString() threw "
              + e
              + "; log its fields (captureHyperparams) or a string, number, boolean, list or map",
          e);
    }
  }
}
