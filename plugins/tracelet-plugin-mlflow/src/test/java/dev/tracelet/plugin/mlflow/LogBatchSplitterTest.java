package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.plugin.mlflow.LogBatchSplitter.KeyValue;
import dev.tracelet.plugin.mlflow.LogBatchSplitter.Limits;
import dev.tracelet.plugin.mlflow.LogBatchSplitter.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogBatchSplitterTest {
  private final JsonCodec json = new JsonCodec();
  private final LogBatchSplitter mlflow = new LogBatchSplitter(json, Limits.MLFLOW);

  private static List<MetricEvent> metrics(int n) {
    List<MetricEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new MetricEvent("m" + (i % 7), i, i, 1_700_000_000_000L + i));
    }
    return out;
  }

  private static List<KeyValue> kvs(String prefix, int n, String value) {
    List<KeyValue> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new KeyValue(prefix + i, value));
    }
    return out;
  }

  @Test
  void fillsRequestsUpToEachCountLimit() {
    List<Request> rs = mlflow.split("r", metrics(2_001), kvs("p", 230, "v"), kvs("t", 30, "v"));
    for (Request r : rs) {
      assertThat(r.metrics()).isLessThanOrEqualTo(1_000);
      assertThat(r.params()).isLessThanOrEqualTo(100);
      assertThat(r.tags()).isLessThanOrEqualTo(100);
      assertThat(r.entities()).isLessThanOrEqualTo(1_000);
    }
    assertThat(rs.stream().mapToInt(Request::metrics).sum()).isEqualTo(2_001);
    assertThat(rs.stream().mapToInt(Request::params).sum()).isEqualTo(230);
    assertThat(rs.stream().mapToInt(Request::tags).sum()).isEqualTo(30);
    // 100 p + 30 t + 870 m | 100 p + 900 m | 30 p + 231 m
    assertThat(rs).extracting(Request::params).containsExactly(100, 100, 30);
    assertThat(rs).extracting(Request::entities).containsExactly(1_000, 1_000, 261);
  }

  @Test
  void staysBelowTheByteLimitAndCountsBytesExactly() throws Exception {
    LogBatchSplitter small = new LogBatchSplitter(json, new Limits(1_000, 100, 100, 1_000, 2_000));
    List<Request> rs =
        small.split("run-1", List.of(), List.of(), kvs("t", 40, "\u00e9".repeat(100)));
    assertThat(rs).hasSizeGreaterThan(3);
    for (Request r : rs) {
      assertThat(r.body().length).isLessThanOrEqualTo(2_000);
      JsonNode n = json.read(r.body());
      assertThat(n.path("run_id").asText()).isEqualTo("run-1");
      assertThat(n.path("tags")).hasSize(r.tags());
    }
  }

  @Test
  void writesValidJsonWithEveryEntityOnceInOrder() throws Exception {
    List<MetricEvent> in = metrics(2_500);
    List<Request> rs = mlflow.split("abc", in, List.of(), List.of());
    List<Long> steps = new ArrayList<>();
    for (Request r : rs) {
      JsonNode n = json.read(r.body());
      n.path("metrics").forEach(m -> steps.add(m.path("step").asLong()));
      assertThat(n.has("params")).isFalse();
    }
    assertThat(steps).hasSize(2_500).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void splitsTheSameInputTheSameWay() {
    List<MetricEvent> in = metrics(3_333);
    List<Request> a = mlflow.split("x", in, kvs("p", 5, "1"), List.of());
    List<Request> b = mlflow.split("x", in, kvs("p", 5, "1"), List.of());
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).body()).isEqualTo(b.get(i).body());
    }
  }

  @Test
  void emptyInputNeedsNoRequest() {
    assertThat(mlflow.split("x", List.of(), List.of(), List.of())).isEmpty();
  }
}
