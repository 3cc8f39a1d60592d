package com.example.tracelet.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void valuesRoundTrip() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "quote \" backslash \\ newline \n tab \t control \u0001 ünïcödé \u2028");
    m.put("long", 9_007_199_254_740_993L);
    m.put("double", 0.1);
    m.put("negative zero", -0.0);
    m.put("tiny", 4.9E-324);
    m.put("flag", true);
    m.put("nothing", null);
    m.put("list", List.of(1L, "two", List.of()));
    m.put("map", Map.of("k", "v"));

    String line = Json.write(m);

    assertThat(line).doesNotContain("\n").doesNotContain("\u2028");
    assertThat(Json.parse(line)).isEqualTo(m);
  }

  @Test
  void nonFiniteDoublesAreStrings() {
    assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)))
        .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
  }

  @Test
  void brokenJsonIsRefused() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("text after");
    assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("end of a string");
  }
}
