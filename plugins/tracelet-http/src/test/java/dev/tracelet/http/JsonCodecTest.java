package dev.tracelet.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  private final JsonCodec codec = new JsonCodec();

  @Test
  void writesNonFiniteDoublesAsProtobufStrings() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = codec.generator(out)) {
      g.writeStartArray();
      g.writeNumber(Double.NaN);
      g.writeNumber(Double.POSITIVE_INFINITY);
      g.writeNumber(Double.NEGATIVE_INFINITY);
      g.writeNumber(1.5);
      g.writeEndArray();
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\",1.5]");
  }

  @Test
  void readsNumbersInEveryFormServersUse() throws Exception {
    JsonNode n =
        codec.read(
            "{\"a\":\"NaN\",\"b\":\"-Infinity\",\"c\":NaN,\"d\":\"12\",\"e\":3,\"f\":\"1700000000000\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(JsonCodec.readDouble(n.get("a"))).isNaN();
    assertThat(JsonCodec.readDouble(n.get("b"))).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(JsonCodec.readDouble(n.get("c"))).isNaN();
    assertThat(JsonCodec.readDouble(n.get("d"))).isEqualTo(12.0);
    assertThat(JsonCodec.readLong(n.get("e"))).isEqualTo(3);
    assertThat(JsonCodec.readLong(n.get("f"))).isEqualTo(1_700_000_000_000L);
    assertThat(JsonCodec.readLong(n.path("missing"))).isZero();
  }

  @Test
  void ignoresUnknownFields() throws Exception {
    record Info(String name) {}
    Info info = codec.mapper().readValue("{\"name\":\"x\",\"workspace\":\"w\"}", Info.class);
    assertThat(info.name()).isEqualTo("x");
  }
}
