package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.http.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Scalar points as {@code events.add_batch} takes them: one JSON object per line ({@code
 * training_stats_scalar}, epoch-millisecond {@code timestamp}, the step as {@code iter}, title and
 * series as {@code metric} and {@code variant}), grouped into request bodies that split only at
 * line boundaries and stay within a byte limit.
 *
 * <p>The encoding is a pure function of the task id and the points, so a batch sent again after a
 * failure produces the same bodies, and the server (which derives an event's id from task,
 * iteration, metric and variant) overwrites what it already stored instead of adding duplicates.
 */
final class ScalarEvents {
  static final String TYPE = "training_stats_scalar";

  private ScalarEvents() {}

  /** One json line per point, in order; values must be finite. */
  static List<byte[]> lines(String taskId, List<MetricEvent> points, JsonCodec json) {
    List<byte[]> lines = new ArrayList<>(points.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    for (MetricEvent p : points) {
      if (!Double.isFinite(p.value())) {
        throw new IllegalArgumentException("non-finite value of " + p.name() + " reached encoding");
      }
      PlotSeries plot = PlotSeries.of(p.name());
      out.reset();
      try (JsonGenerator g = json.generator(out)) {
        g.writeStartObject();
        g.writeStringField("task", taskId);
        g.writeStringField("type", TYPE);
        g.writeNumberField("timestamp", p.timestamp());
        g.writeNumberField("iter", p.step());
        g.writeStringField("metric", plot.title());
        g.writeStringField("variant", plot.series());
        g.writeNumberField("value", p.value());
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      lines.add(out.toByteArray());
    }
    return lines;
  }

  /**
   * Request bodies of whole lines joined by {@code \n}, each at most {@code maxBytes} long (a line
   * longer than that on its own goes alone), in the lines' order.
   */
  static List<byte[]> bodies(List<byte[]> lines, int maxBytes) {
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      int needed = body.size() == 0 ? line.length : body.size() + 1 + line.length;
      if (body.size() > 0 && needed > maxBytes) {
        bodies.add(body.toByteArray());
        body.reset();
      }
      if (body.size() > 0) {
        body.write('\n');
      }
      body.writeBytes(line);
    }
    if (body.size() > 0) {
      bodies.add(body.toByteArray());
    }
    return bodies;
  }
}
