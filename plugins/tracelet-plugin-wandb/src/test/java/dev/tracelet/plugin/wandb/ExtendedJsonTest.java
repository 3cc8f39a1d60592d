package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ExtendedJsonTest {
  @Test
  void nonFiniteValuesAreBareTokensAndReadBack() {
    ObjectNode o = ExtendedJson.object();
    o.put("nan", Double.NaN);
    o.put("inf", Double.POSITIVE_INFINITY);
    o.put("ninf", Double.NEGATIVE_INFINITY);
    o.put("negzero", -0.0);
    String line = ExtendedJson.line(o);
    assertThat(line)
        .isEqualTo("{\"nan\":NaN,\"inf\":Infinity,\"ninf\":-Infinity,\"negzero\":-0.0}");
    assertThat(ExtendedJson.parse(line).get("nan").doubleValue()).isNaN();
    assertThat(ExtendedJson.parse(line).get("ninf").doubleValue())
        .isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void millisecondsBecomeExactPlainSeconds() {
    assertThat(ExtendedJson.seconds(1_700_000_000_250L).toPlainString()).isEqualTo("1700000000.25");
    assertThat(ExtendedJson.seconds(1_700_000_000_000L).toPlainString()).isEqualTo("1700000000.0");
    assertThat(ExtendedJson.seconds(0).toPlainString()).isEqualTo("0.0");
    assertThat(ExtendedJson.seconds(1).toPlainString()).isEqualTo("0.001");
    ObjectNode o = ExtendedJson.object();
    o.put("_timestamp", ExtendedJson.seconds(1_700_000_000_000L));
    assertThat(ExtendedJson.line(o)).isEqualTo("{\"_timestamp\":1700000000.0}");
  }
}
