package dev.tracelet.plugin.local;

import dev.tracelet.api.store.Sort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Sorting of read-side listings. Values compare by kind: numbers numerically (so 9 comes before
 * 10), then booleans, instants, and text. Absent values and NaN sort last in both directions, so
 * "best first" by a metric never starts with runs that lack it or diverged. Sorting is stable: ties
 * keep the natural order.
 */
final class Ordering {
  private Ordering() {}

  static <T> List<T> sorted(List<T> items, Sort sort, Function<T, @Nullable Object> key) {
    List<T> copy = new ArrayList<>(items);
    if (sort.isNone()) {
      return copy;
    }
    // Each key is computed once, not once per comparison.
    int n = copy.size();
    Object[] keys = new Object[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      keys[i] = absentIfNaN(key.apply(copy.get(i)));
      order[i] = i;
    }
    Comparator<@Nullable Object> values = sort.isAscending() ? VALUES : VALUES.reversed();
    java.util.Arrays.sort( // stable
        order,
        (a, b) -> {
          Object x = keys[a];
          Object y = keys[b];
          if (x == null || y == null) {
            return x == null ? (y == null ? 0 : 1) : -1;
          }
          return values.compare(x, y);
        });
    List<T> result = new ArrayList<>(n);
    for (Integer i : order) {
      result.add(copy.get(i));
    }
    return result;
  }

  private static @Nullable Object absentIfNaN(@Nullable Object v) {
    if (v instanceof Double d && d.isNaN()) {
      return null;
    }
    if (v instanceof Float f && f.isNaN()) {
      return null;
    }
    return v;
  }

  private static final Comparator<@Nullable Object> VALUES = Ordering::compareValues;

  static int compareValues(@Nullable Object a, @Nullable Object b) {
    int ka = kind(a);
    int kb = kind(b);
    if (ka != kb) {
      return Integer.compare(ka, kb);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof Instant x && b instanceof Instant y) {
      return x.compareTo(y);
    }
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  private static int kind(@Nullable Object v) {
    if (v instanceof Number) {
      return 0;
    }
    if (v instanceof Boolean) {
      return 1;
    }
    if (v instanceof Instant) {
      return 2;
    }
    return 3;
  }
}
