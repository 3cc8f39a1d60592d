package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.http.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalarEventsTest {
  private final JsonCodec json = new JsonCodec();

  @Test
  void oneLinePerPointWithTitleSeriesStepAndMilliseconds() {
    List<byte[]> lines =
        ScalarEvents.lines(
            "t1",
            List.of(
                new MetricEvent("train/loss", 0.5, 3, 1_700_000_000_123L),
                new MetricEvent("accuracy", -0.0, 0, 1_700_000_000_124L)),
            json);
    assertThat(new String(lines.get(0), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"task\":\"t1\",\"type\":\"training_stats_scalar\",\"timestamp\":1700000000123,"
                + "\"iter\":3,\"metric\":\"train\",\"variant\":\"loss\",\"value\":0.5}");
    assertThat(new String(lines.get(1), StandardCharsets.UTF_8))
        .contains("\"metric\":\"accuracy\",\"variant\":\"accuracy\",\"value\":-0.0");
  }

  @Test
  void nonFiniteValuesNeverReachTheEncoding() {
    assertThatThrownBy(
            () ->
                ScalarEvents.lines(
                    "t", List.of(new MetricEvent("x", Double.NaN, 1, 1_700_000_000_000L)), json))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bodiesSplitAtLineBoundariesBelowTheLimitAndKeepTheOrder() {
    List<MetricEvent> points = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      points.add(new MetricEvent("m" + (i % 7) + "/s", i * 0.25, i, 1_700_000_000_000L + i));
    }
    List<byte[]> lines = ScalarEvents.lines("task", points, json);
    int limit = 4_096;
    List<byte[]> bodies = ScalarEvents.bodies(lines, limit);

    assertThat(bodies).hasSizeGreaterThan(1);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] body : bodies) {
      assertThat(body.length).isLessThanOrEqualTo(limit);
      assertThat(body[body.length - 1]).as("no trailing newline").isNotEqualTo((byte) '\n');
      if (joined.size() > 0) {
        joined.write('\n');
      }
      joined.writeBytes(body);
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      if (expected.size() > 0) {
        expected.write('\n');
      }
      expected.writeBytes(line);
    }
    assertThat(joined.toByteArray())
        .as("bodies are the lines, in order, split only between lines")
        .isEqualTo(expected.toByteArray());
  }

  @Test
  void aLineLongerThanTheLimitGoesAlone() {
    byte[] small = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[50];
    List<byte[]> bodies = ScalarEvents.bodies(List.of(small, big, small), 10);
    assertThat(bodies).hasSize(3);
    assertThat(bodies.get(1)).hasSize(50);
  }

  @Test
  void theSameBatchEncodesToTheSameBodies() {
    List<MetricEvent> points = List.of(new MetricEvent("a/b", 1.5, 7, 1_700_000_000_007L));
    assertThat(ScalarEvents.bodies(ScalarEvents.lines("t", points, json), 4_096))
        .usingElementComparator(java.util.Arrays::compare)
        .containsExactlyElementsOf(
            ScalarEvents.bodies(ScalarEvents.lines("t", points, json), 4_096));
  }
}
