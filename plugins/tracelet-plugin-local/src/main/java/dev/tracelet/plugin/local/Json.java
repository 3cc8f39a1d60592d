package dev.tracelet.plugin.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON for the few structured values the store keeps (artifact metadata, run capture files). */
final class Json {
  /**
   * Jackson's default buffer recycling keeps buffers in a {@code ThreadLocal} of the calling thread
   * — a host thread — which would keep the plugin's class loader alive after unload. The store's
   * JSON is small, so it does without recycling.
   */
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder().recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build())
          .enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /** Writes plain data; anything that is not a string, number, boolean, list or map is a string. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> readMap(String json) {
    try {
      Map<String, Object> m = MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
      return m == null ? Map.of() : m;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
    }
  }

  private static Object plain(Object v) {
    if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
      return out;
    }
    if (v instanceof Collection<?> c) {
      return c.stream().map(Json::plain).toList();
    }
    if (v instanceof Object[] a) {
      return plain(java.util.Arrays.asList(a));
    }
    return String.valueOf(v);
  }
}
