package dev.tracelet.plugin.local;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Parameter values keep their type beside their text, so result tables give numbers as numbers (and
 * sort 9 before 10) while {@code getRun} shows the text every backend shows.
 */
final class ParamValues {
  private ParamValues() {}

  static String kind(Object value) {
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return "long";
    }
    if (value instanceof Number) {
      return "double";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof String) {
      return "string";
    }
    return "other";
  }

  /** The typed value of a stored parameter; text when it cannot be read back as its kind. */
  static @Nullable Object typed(String value, String kind) {
    try {
      return switch (kind) {
        case "long" -> {
          BigInteger big = new BigInteger(value);
          yield big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        case "double" -> parseDouble(value);
        case "boolean" -> Boolean.valueOf(value);
        default -> value;
      };
    } catch (NumberFormatException e) {
      return value;
    }
  }

  private static Object parseDouble(String value) {
    try {
      return Double.valueOf(value);
    } catch (NumberFormatException e) {
      return new BigDecimal(value);
    }
  }
}
