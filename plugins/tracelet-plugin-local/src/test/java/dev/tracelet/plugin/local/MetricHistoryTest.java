package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.plugin.local.MetricChunkCodec.Points;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricHistoryTest {
  @Test
  void anOrderedHistoryIsAnImmutableListOfItsPoints() {
    Points p = new Points(8);
    p.add(0, 10, 1.0);
    p.add(1, 11, Double.NaN);
    List<MetricPoint> history = MetricHistory.inStepOrder(p);
    assertThat(history)
        .isEqualTo(List.of(new MetricPoint(0, 10, 1.0), new MetricPoint(1, 11, Double.NaN)))
        .hasSameHashCodeAs(
            List.of(new MetricPoint(0, 10, 1.0), new MetricPoint(1, 11, Double.NaN)));
    assertThatThrownBy(() -> history.add(new MetricPoint(2, 12, 0)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> history.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anUnorderedHistoryIsSortedStablyByStepThenTime() {
    Points p = new Points(8);
    p.add(5, 100, 1);
    p.add(2, 300, 2);
    p.add(2, 200, 3);
    p.add(2, 200, 4);
    assertThat(MetricHistory.inStepOrder(p))
        .containsExactly(
            new MetricPoint(2, 200, 3),
            new MetricPoint(2, 200, 4),
            new MetricPoint(2, 300, 2),
            new MetricPoint(5, 100, 1));
  }
}
