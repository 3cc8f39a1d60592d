package dev.tracelet.http;

import dev.tracelet.api.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a backend's own settings ({@code BackendContext.config()}) with one set of rules and
 * messages for every HTTP plugin: blank means unset, booleans accept true/false, 1/0, yes/no,
 * on/off, and a bad value fails with {@link ConfigurationException} naming {@code <backend>.<key>},
 * the value and the accepted form.
 */
public final class ConfigValues {
  private final String backend;
  private final Map<String, String> values;

  public ConfigValues(String backend, Map<String, String> values) {
    this.backend = backend;
    this.values = values;
  }

  /** The trimmed value, or null when unset or blank. */
  public @Nullable String text(String key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? null : v.strip();
  }

  public boolean bool(String key, boolean dflt) {
    String v = text(key);
    if (v == null) {
      return dflt;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw invalid(key, v, "true or false");
    };
  }

  public double number(String key, double dflt, double min, double max) {
    String v = text(key);
    if (v == null) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v);
      if (d >= min && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // Reported below, with the accepted range.
    }
    throw invalid(key, v, "a number from " + min + " to " + max);
  }

  public int integer(String key, int dflt, int min, int max) {
    String v = text(key);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below, with the accepted range.
    }
    throw invalid(key, v, "a whole number from " + min + " to " + max);
  }

  /** Seconds, possibly fractional, as a duration rounded to the millisecond. */
  public static Duration seconds(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private ConfigurationException invalid(String key, String value, String expected) {
    return new ConfigurationException(
        backend + "." + key + " = '" + value + "' is not valid; expected " + expected + ".");
  }
}
