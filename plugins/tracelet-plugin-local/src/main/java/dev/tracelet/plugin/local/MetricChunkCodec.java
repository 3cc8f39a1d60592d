package dev.tracelet.plugin.local;

import java.util.Arrays;

/**
 * Encodes a run of metric points of one key into a compact blob and back.
 *
 * <p>Layout: a format byte ({@code 1}), the point count as a varint, then per point the step and
 * the timestamp as zig-zag varint deltas from the previous point and the value as its 8 raw IEEE
 * bytes (little-endian). Steps usually advance by one and timestamps by a few milliseconds, so a
 * point takes about 11 bytes; raw value bits keep NaN, infinities and {@code -0.0} exactly, which
 * SQLite's REAL type would not (it stores NaN as NULL).
 */
final class MetricChunkCodec {
  static final byte FORMAT = 1;

  private MetricChunkCodec() {}

  /** Points of one series in logging order, as parallel arrays. */
  static final class Points {
    long[] steps;
    long[] timestamps;
    double[] values;
    int size;

    Points(int capacity) {
      steps = new long[Math.max(capacity, 4)];
      timestamps = new long[steps.length];
      values = new double[steps.length];
    }

    void add(long step, long timestamp, double value) {
      if (size == steps.length) {
        int n = size * 2;
        steps = Arrays.copyOf(steps, n);
        timestamps = Arrays.copyOf(timestamps, n);
        values = Arrays.copyOf(values, n);
      }
      steps[size] = step;
      timestamps[size] = timestamp;
      values[size] = value;
      size++;
    }
  }

  static byte[] encode(Points p, int from, int to) {
    byte[] out = new byte[1 + 5 + (to - from) * (10 + 10 + 8)];
    int pos = 0;
    out[pos++] = FORMAT;
    pos = putVarint(out, pos, to - from);
    long prevStep = 0;
    long prevTs = 0;
    for (int i = from; i < to; i++) {
      pos = putVarint(out, pos, zigzag(p.steps[i] - prevStep));
      pos = putVarint(out, pos, zigzag(p.timestamps[i] - prevTs));
      prevStep = p.steps[i];
      prevTs = p.timestamps[i];
      long bits = Double.doubleToRawLongBits(p.values[i]);
      for (int k = 0; k < 8; k++) {
        out[pos++] = (byte) (bits >>> (8 * k));
      }
    }
    return Arrays.copyOf(out, pos);
  }

  /** Appends the points of {@code blob} to {@code into}. */
  static void decode(byte[] blob, Points into) {
    if (blob.length == 0 || blob[0] != FORMAT) {
      throw new IllegalStateException(
          "metric chunk has unknown format " + (blob.length == 0 ? "(empty)" : blob[0]));
    }
    int[] pos = {1};
    int n = (int) getVarint(blob, pos);
    long step = 0;
    long ts = 0;
    for (int i = 0; i < n; i++) {
      step += unzigzag(getVarint(blob, pos));
      ts += unzigzag(getVarint(blob, pos));
      int p = pos[0];
      long bits = 0;
      for (int k = 0; k < 8; k++) {
        bits |= (blob[p + k] & 0xFFL) << (8 * k);
      }
      pos[0] = p + 8;
      into.add(step, ts, Double.longBitsToDouble(bits));
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static int putVarint(byte[] out, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  private static long getVarint(byte[] in, int[] pos) {
    int p = pos[0];
    long result = 0;
    int shift = 0;
    while (true) {
      byte b = in[p++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        pos[0] = p;
        return result;
      }
      shift += 7;
    }
  }
}
