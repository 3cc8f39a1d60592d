package dev.tracelet.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How values look in tables: local times to the second, short durations, numbers with six
 * significant digits. JSON output never goes through here; it keeps full values and UTC instants.
 */
final class Formats {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Formats() {}

  static String time(@Nullable Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** {@code 812ms}, {@code 4.2s}, {@code 3m 07s}, {@code 2h 05m}. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "";
    }
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return BigDecimal.valueOf(ms / 100, 1).stripTrailingZeros().toPlainString() + "s";
    }
    long s = ms / 1_000;
    if (s < 3_600) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", s / 3_600, (s % 3_600) / 60);
  }

  /**
   * Integers without decimals; others with six significant digits, scientific when tiny or huge.
   */
  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double abs = Math.abs(v);
    if (abs < 1e-4 || abs >= 1e9) {
      return String.format(Locale.ROOT, "%.4e", v); // a decimal point in every locale
    }
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** {@code k=v, k2=v2}, sorted by key. */
  static String pairs(Map<String, String> map) {
    return new TreeMap<>(map)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }

  /** A message on one line: the CLI's errors never span lines. */
  static String oneLine(@Nullable String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
