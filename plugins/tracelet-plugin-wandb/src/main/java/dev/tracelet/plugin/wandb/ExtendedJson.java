package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/**
 * W&amp;B's "extended JSON" for file-stream lines: {@code NaN}, {@code Infinity} and {@code
 * -Infinity} written as bare tokens (W&amp;B's Python side reads them as floats; a quoted {@code
 * "NaN"} would be stored as a string), and times as exact decimals in plain notation ({@code
 * 1700000000.25}, never {@code 1.70000000025E9}). The outer request body stays standard JSON
 * because each line travels as a string. Thread-safe.
 */
final class ExtendedJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                  .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                  .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                  .build())
          .build();

  private ExtendedJson() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** One line: the object without line breaks. */
  static String line(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a line written by {@link #line}, non-finite tokens included. */
  static JsonNode parse(String line) {
    try {
      return MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Milliseconds as W&amp;B's float seconds, exactly and with at least one decimal: {@code
   * 1700000000250 → 1700000000.25}, {@code 0 → 0.0}.
   */
  static BigDecimal seconds(long millis) {
    BigDecimal s = BigDecimal.valueOf(millis, 3).stripTrailingZeros();
    return s.scale() < 1 ? s.setScale(1) : s;
  }
}
