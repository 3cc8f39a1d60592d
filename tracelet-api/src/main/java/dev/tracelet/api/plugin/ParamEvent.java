package dev.tracelet.api.plugin;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parameter.
 *
 * @param key the parameter's name
 * @param value a JSON-like value: {@code String}, {@code Boolean}, {@code Long}, {@code Double}, or
 *     a {@code List}/{@code Map} of those; the runtime converts anything else to a string
 */
public record ParamEvent(String key, Object value) {
  public ParamEvent {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  /** The value as backends that only keep strings store it. */
  public String valueAsString() {
    return render(value);
  }

  private static String render(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof List<?> list) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        b.append(render(list.get(i)));
      }
      return b.append(']').toString();
    }
    if (v instanceof Map<?, ?> map) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          b.append(", ");
        }
        first = false;
        b.append(e.getKey()).append('=').append(render(e.getValue()));
      }
      return b.append('}').toString();
    }
    return String.valueOf(v);
  }
}
