package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.plugin.local.MetricChunkCodec.Points;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricChunkCodecTest {
  @Test
  void roundTripsEveryValueBitForBitAndExtremeSteps() {
    double[] values = {
      0.0,
      -0.0,
      1.5,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      Double.longBitsToDouble(0x7ff8dead0000beefL)
    };
    long[] steps = {0, Long.MAX_VALUE, Long.MIN_VALUE, -1, 5, 5, 4, 1L << 40, 0};
    Points in = new Points(2);
    for (int i = 0; i < values.length; i++) {
      in.add(steps[i], 1_700_000_000_000L - i * 7_000_000L, values[i]);
    }
    Points out = new Points(1);
    MetricChunkCodec.decode(MetricChunkCodec.encode(in, 0, in.size), out);
    assertThat(out.size).isEqualTo(in.size);
    for (int i = 0; i < in.size; i++) {
      assertThat(out.steps[i]).isEqualTo(in.steps[i]);
      assertThat(out.timestamps[i]).isEqualTo(in.timestamps[i]);
      assertThat(Double.doubleToRawLongBits(out.values[i]))
          .isEqualTo(Double.doubleToRawLongBits(in.values[i]));
    }
  }

  @Test
  void encodesARangeAndAppendsOnDecode() {
    SplittableRandom r = new SplittableRandom(42);
    Points in = new Points(16);
    for (int i = 0; i < 10_000; i++) {
      in.add(i, 1_700_000_000_000L + i * 3L, r.nextDouble());
    }
    Points out = new Points(16);
    MetricChunkCodec.decode(MetricChunkCodec.encode(in, 0, 4_000), out);
    byte[] rest = MetricChunkCodec.encode(in, 4_000, in.size);
    MetricChunkCodec.decode(rest, out);
    assertThat(out.size).isEqualTo(10_000);
    assertThat(out.values[9_999]).isEqualTo(in.values[9_999]);
    assertThat(rest.length).as("about 11 bytes a point for steady steps").isLessThan(6_000 * 12);
  }

  @Test
  void refusesAnUnknownFormat() {
    assertThatThrownBy(() -> MetricChunkCodec.decode(new byte[] {9, 0}, new Points(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unknown format");
  }
}
