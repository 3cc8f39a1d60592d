package dev.tracelet.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"loss", "train/loss", "val:acc", "lr 0", "a.b-c_d", "x/y/z"})
  void acceptsUsualNames(String name) {
    assertThat(Names.requireKey("Metric", name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "../evil",
        "a/../b",
        "/abs",
        "trailing/",
        "a//b",
        "tab\there",
        "nul\0",
        "é",
        "a\nb"
      })
  void refusesNamesThatCouldEscapeOrConfuse(String name) {
    assertThatThrownBy(() -> Names.requireKey("Metric", name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric name");
  }

  @Test
  void refusesOverlongNames() {
    assertThatThrownBy(() -> Names.requireKey("Tag", "x".repeat(251)))
        .hasMessageContaining("1-250");
  }

  @Test
  void controlCharactersArePrintedVisibly() {
    assertThatThrownBy(() -> Names.requireKey("Metric", "a\u0007b")).hasMessageContaining("U+0007");
  }

  @Test
  void paramValuesBecomeJsonLikeValues() {
    assertThat(Names.paramValue("k", 3)).isEqualTo(3L);
    assertThat(Names.paramValue("k", 0.5f)).isEqualTo(0.5d);
    assertThat(Names.paramValue("k", new int[] {1, 2})).isEqualTo(List.of(1L, 2L));
    assertThat(Names.paramValue("k", Map.of("a", 1))).isEqualTo(Map.of("a", 1L));
    assertThat(Names.paramValue("k", java.time.Duration.ofSeconds(1))).isEqualTo("PT1S");
    assertThat(Names.paramValue("k", Double.NaN)).isEqualTo(Double.NaN);
  }

  @Test
  void refusesNullAndIdentityToString() {
    assertThatThrownBy(() -> Names.paramValue("k", null)).hasMessageContaining("'k' is null");
    assertThatThrownBy(() -> Names.paramValue("k", new Object()))
        .hasMessageContaining("meaningful toString");
  }

  @Test
  void refusesOversizedValues() {
    assertThatThrownBy(() -> Names.paramValue("k", "x".repeat(Names.MAX_PARAM_VALUE_CHARS + 1)))
        .hasMessageContaining("artifact");
  }
}
