package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.http.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs metrics, parameters and tags into {@code runs/log-batch} bodies that each fit MLflow's
 * limits: at most {@link Limits#maxMetrics()} metrics, {@link Limits#maxParams()} params, {@link
 * Limits#maxTags()} tags, {@link Limits#maxEntities()} entities and {@link Limits#maxBytes()}
 * bytes. Every entity is encoded once and the byte count is exact. Parameters go first, then tags,
 * then metrics, each kind in its given order; the split of a given input is always the same, which
 * is what lets a session remember which parts of a batch the server already took.
 */
final class LogBatchSplitter {
  /** MLflow's limits on one log-batch request. */
  record Limits(int maxMetrics, int maxParams, int maxTags, int maxEntities, int maxBytes) {
    static final Limits MLFLOW = new Limits(1_000, 100, 100, 1_000, 1_000_000);
  }

  /** One request body and what it carries. */
  record Request(byte[] body, int metrics, int params, int tags) {
    int entities() {
      return metrics + params + tags;
    }
  }

  /** A parameter or tag after validation: key and string value. */
  record KeyValue(String key, String value) {}

  private static final byte[] METRICS = bytes(",\"metrics\":[");
  private static final byte[] PARAMS = bytes(",\"params\":[");
  private static final byte[] TAGS = bytes(",\"tags\":[");

  /** Room for the three section wrappers, whichever appear. */
  private static final int SECTIONS_OVERHEAD = METRICS.length + PARAMS.length + TAGS.length + 4;

  private final JsonCodec json;
  private final Limits limits;

  LogBatchSplitter(JsonCodec json, Limits limits) {
    this.json = json;
    this.limits = limits;
  }

  List<Request> split(
      String runId, List<MetricEvent> metrics, List<KeyValue> params, List<KeyValue> tags) {
    byte[] head = bytes("{\"run_id\":" + quote(runId));
    int fixed = head.length + SECTIONS_OVERHEAD + 1;
    List<byte[]> p = encodeKeyValues(params);
    List<byte[]> t = encodeKeyValues(tags);
    List<byte[]> m = encodeMetrics(metrics);
    if (fixed + 1 >= limits.maxBytes()) {
      throw new IllegalArgumentException("run id too long for a log-batch request");
    }

    // Like MLflow's Python client: each request takes what params and tags it can, then fills up
    // with metrics, so a few params or tags never cost a request of their own.
    List<Request> out = new ArrayList<>();
    int pi = 0;
    int ti = 0;
    int mi = 0;
    while (pi < p.size() || ti < t.size() || mi < m.size()) {
      Packer packer = new Packer(head, fixed);
      while (pi < p.size() && packer.fits(p.get(pi), packer.params < limits.maxParams())) {
        packer.params(p.get(pi++));
      }
      while (ti < t.size() && packer.fits(t.get(ti), packer.tags < limits.maxTags())) {
        packer.tags(t.get(ti++));
      }
      while (mi < m.size() && packer.fits(m.get(mi), packer.metrics < limits.maxMetrics())) {
        packer.metrics(m.get(mi++));
      }
      out.add(packer.finish());
    }
    return out;
  }

  private final class Packer {
    private final byte[] head;
    private final List<byte[]> m = new ArrayList<>();
    private final List<byte[]> p = new ArrayList<>();
    private final List<byte[]> t = new ArrayList<>();
    private int bytes;
    int metrics;
    int params;
    int tags;

    Packer(byte[] head, int fixed) {
      this.head = head;
      this.bytes = fixed;
    }

    int entities() {
      return metrics + params + tags;
    }

    boolean fits(byte[] entity, boolean kindHasRoom) {
      if (entities() == 0) {
        return true; // a lone entity always goes out; none is near the byte limit by itself
      }
      return kindHasRoom
          && entities() < limits.maxEntities()
          && bytes + entity.length + 1 <= limits.maxBytes();
    }

    void metrics(byte[] e) {
      m.add(e);
      metrics++;
      bytes += e.length + 1;
    }

    void params(byte[] e) {
      p.add(e);
      params++;
      bytes += e.length + 1;
    }

    void tags(byte[] e) {
      t.add(e);
      tags++;
      bytes += e.length + 1;
    }

    Request finish() {
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes);
      out.writeBytes(head);
      section(out, METRICS, m);
      section(out, PARAMS, p);
      section(out, TAGS, t);
      out.write('}');
      return new Request(out.toByteArray(), metrics, params, tags);
    }

    private void section(ByteArrayOutputStream out, byte[] name, List<byte[]> entities) {
      if (entities.isEmpty()) {
        return;
      }
      out.writeBytes(name);
      for (int i = 0; i < entities.size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        out.writeBytes(entities.get(i));
      }
      out.write(']');
    }
  }

  private List<byte[]> encodeMetrics(List<MetricEvent> metrics) {
    return encode(
        metrics,
        (g, e) -> {
          g.writeStartObject();
          g.writeStringField("key", e.name());
          g.writeFieldName("value");
          // NaN and infinities become "NaN", "Infinity", "-Infinity" (WRITE_NAN_AS_STRINGS).
          g.writeNumber(e.value());
          g.writeNumberField("timestamp", e.timestamp());
          g.writeNumberField("step", e.step());
          g.writeEndObject();
        });
  }

  private List<byte[]> encodeKeyValues(List<KeyValue> kvs) {
    return encode(
        kvs,
        (g, kv) -> {
          g.writeStartObject();
          g.writeStringField("key", kv.key());
          g.writeStringField("value", kv.value());
          g.writeEndObject();
        });
  }

  private interface Writer<T> {
    void write(JsonGenerator g, T item) throws IOException;
  }

  /** One generator for the whole list; each entity is the bytes between two flushes. */
  private <T> List<byte[]> encode(List<T> items, Writer<T> writer) {
    List<byte[]> out = new ArrayList<>(items.size());
    if (items.isEmpty()) {
      return out;
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream(items.size() * 64);
    try (JsonGenerator g = json.generator(buf)) {
      g.setRootValueSeparator(new SerializedString(""));
      int[] ends = new int[items.size()];
      for (int i = 0; i < items.size(); i++) {
        writer.write(g, items.get(i));
        g.flush();
        ends[i] = buf.size();
      }
      byte[] all = buf.toByteArray();
      int start = 0;
      for (int end : ends) {
        byte[] e = new byte[end - start];
        System.arraycopy(all, start, e, 0, e.length);
        out.add(e);
        start = end;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private String quote(String s) {
    return new String(json.write(s), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
