package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.plugin.MetricEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineFormatsTest {
  private static final long START = 1_700_000_000_000L;

  @Test
  void aHistoryRowCarriesStepRuntimeAndTimestampAfterItsMetrics() {
    HistoryRows.Row row = new HistoryRows.Row(3, Map.of("loss", 0.5), START + 12_400);
    assertThat(LineFormats.historyLine(row, START))
        .isEqualTo("{\"loss\":0.5,\"_step\":3,\"_runtime\":12.4,\"_timestamp\":1700000012.4}");
  }

  @Test
  void systemPointsOfOneSampleShareAnEventsLine() {
    List<String> lines =
        LineFormats.eventLines(
            List.of(
                new MetricEvent("system/cpu", 10, 0, START + 1_000),
                new MetricEvent("system/mem", 20, 0, START + 1_001),
                new MetricEvent("system/cpu", 11, 1, START + 2_000)),
            START);
    assertThat(lines)
        .containsExactly(
            "{\"system.cpu\":10.0,\"system.mem\":20.0,\"_wandb\":true,\"_runtime\":1.001,\"_timestamp\":1700000001.001}",
            "{\"system.cpu\":11.0,\"_wandb\":true,\"_runtime\":2.0,\"_timestamp\":1700000002.0}");
  }

  @Test
  void consoleLinesUseWandbsPlainFormat() {
    Instant t = Instant.parse("2024-04-05T10:15:30.123456Z");
    assertThat(LineFormats.consoleLine(new ConsoleCapture.Line(false, t, "epoch 1")))
        .isEqualTo("2024-04-05T10:15:30.123456 epoch 1");
    assertThat(LineFormats.consoleLine(new ConsoleCapture.Line(true, t, "boom")))
        .isEqualTo("ERROR 2024-04-05T10:15:30.123456 boom");
  }

  @Test
  void aRowBeforeTheRunStartedHasNoNegativeRuntime() {
    HistoryRows.Row row = new HistoryRows.Row(0, Map.of("x", 1.0), START - 5_000);
    assertThat(LineFormats.historyLine(row, START)).contains("\"_runtime\":0.0");
  }
}
