package dev.tracelet.plugin.local;

import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.plugin.local.MetricChunkCodec.Points;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable history of one metric, kept as three primitive arrays: a million points take 24 MB
 * instead of a million records, which is what makes reading long histories fast. Points are made on
 * access; equality and hashing are those of any {@link List}.
 */
final class MetricHistory extends AbstractList<MetricPoint> implements RandomAccess {
  private final long[] steps;
  private final long[] timestamps;
  private final double[] values;
  private final int size;

  private MetricHistory(long[] steps, long[] timestamps, double[] values, int size) {
    this.steps = steps;
    this.timestamps = timestamps;
    this.values = values;
    this.size = size;
  }

  /**
   * The points in step order, then time order; points equal in both keep the order they were logged
   * in. Takes ownership of {@code p}'s arrays.
   */
  static List<MetricPoint> inStepOrder(Points p) {
    boolean ordered = true;
    for (int i = 1; i < p.size && ordered; i++) {
      ordered =
          p.steps[i] > p.steps[i - 1]
              || (p.steps[i] == p.steps[i - 1] && p.timestamps[i] >= p.timestamps[i - 1]);
    }
    if (ordered) {
      return new MetricHistory(p.steps, p.timestamps, p.values, p.size);
    }
    MetricPoint[] out = new MetricPoint[p.size];
    for (int i = 0; i < p.size; i++) {
      out[i] = new MetricPoint(p.steps[i], p.timestamps[i], p.values[i]);
    }
    Arrays.sort( // stable (TimSort)
        out,
        (a, b) ->
            a.step() != b.step()
                ? Long.compare(a.step(), b.step())
                : Long.compare(a.timestamp(), b.timestamp()));
    return List.of(out);
  }

  @Override
  public MetricPoint get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }
    return new MetricPoint(steps[index], timestamps[index], values[index]);
  }

  @Override
  public int size() {
    return size;
  }
}
