package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.plugin.MetricEvent;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of the file-stream files, as W&amp;B writes them: history rows with {@code _step},
 * {@code _runtime} and {@code _timestamp}; system-metric lines for {@code wandb-events.jsonl}; and
 * console lines in W&amp;B's plain {@code output.log} format. Times come from the events
 * themselves, so the same events always give the same lines (a resend is identical).
 */
final class LineFormats {
  private static final DateTimeFormatter CONSOLE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private LineFormats() {}

  /** {@code {"loss":0.5,…,"_step":3,"_runtime":12.4,"_timestamp":1700000000.25}}. */
  static String historyLine(HistoryRows.Row row, long startMillis) {
    ObjectNode line = ExtendedJson.object();
    row.values().forEach(line::put);
    line.put("_step", row.step());
    times(line, row.timestamp(), startMillis);
    return ExtendedJson.line(line);
  }

  /**
   * System figures as {@code wandb-events.jsonl} lines: one per sample (a run of points with the
   * same step), keys {@code system.…}, marked {@code "_wandb": true} as W&amp;B's own are.
   */
  static List<String> eventLines(List<MetricEvent> system, long startMillis) {
    List<String> out = new ArrayList<>();
    ObjectNode line = null;
    long step = 0;
    long timestamp = 0;
    for (MetricEvent m : system) {
      if (line != null && m.step() != step) {
        out.add(eventLine(line, timestamp, startMillis));
        line = null;
      }
      if (line == null) {
        line = ExtendedJson.object();
        step = m.step();
        timestamp = m.timestamp();
      }
      line.put(WandbNames.systemKey(m.name()), m.value());
      timestamp = Math.max(timestamp, m.timestamp());
    }
    if (line != null) {
      out.add(eventLine(line, timestamp, startMillis));
    }
    return out;
  }

  /** {@code 2024-04-05T10:15:30.123456 text} (UTC), stderr lines prefixed {@code ERROR }. */
  static String consoleLine(ConsoleCapture.Line line) {
    return (line.stderr() ? "ERROR " : "") + CONSOLE_TIME.format(line.time()) + " " + line.text();
  }

  private static String eventLine(ObjectNode line, long timestamp, long startMillis) {
    line.put("_wandb", true);
    times(line, timestamp, startMillis);
    return ExtendedJson.line(line);
  }

  private static void times(ObjectNode line, long timestamp, long startMillis) {
    line.put("_runtime", ExtendedJson.seconds(Math.max(0, timestamp - startMillis)));
    line.put("_timestamp", ExtendedJson.seconds(timestamp));
  }
}
