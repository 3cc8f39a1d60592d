package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.http.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One ClearML hyperparameter ({@code params_item}): a string value in a section, with the original
 * value's type kept as free text, as the SDK does.
 *
 * <p>Sections: Tracelet parameters go to {@value #GENERAL} under their exact name (a {@code /} in a
 * name stays part of the name), launch arguments to {@value #ARGS}, key/value tags to {@value
 * #PROPERTIES} (ClearML's user properties, the one section the server lets change in any task
 * status), and the run's own identity (Tracelet run id, host version) to {@value #TRACELET}.
 */
record ParamItem(String section, String name, String value, String type) {
  static final String GENERAL = "General";
  static final String ARGS = "Args";
  static final String PROPERTIES = "properties";
  static final String TRACELET = "Tracelet";

  ParamItem {
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(type, "type");
  }

  static ParamItem of(ParamEvent p) {
    return new ParamItem(GENERAL, p.key(), p.valueAsString(), typeOf(p.value()));
  }

  static ParamItem of(TagEvent t) {
    return new ParamItem(PROPERTIES, t.key(), t.value(), "str");
  }

  /** Parameters then tags of a batch, the last value of a repeated key winning in its place. */
  static List<ParamItem> of(List<ParamEvent> params, List<TagEvent> tags) {
    Map<String, ParamItem> items = new LinkedHashMap<>();
    for (ParamEvent p : params) {
      ParamItem item = of(p);
      items.remove(item.section + "/" + item.name);
      items.put(item.section + "/" + item.name, item);
    }
    for (TagEvent t : tags) {
      ParamItem item = of(t);
      items.remove(item.section + "/" + item.name);
      items.put(item.section + "/" + item.name, item);
    }
    return new ArrayList<>(items.values());
  }

  /** The Python type name the SDK would record for a value of this Java type. */
  static String typeOf(Object value) {
    if (value instanceof Boolean) {
      return "bool";
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      return "int";
    }
    if (value instanceof Double || value instanceof Float) {
      return "float";
    }
    if (value instanceof List<?>) {
      return "list";
    }
    if (value instanceof Map<?, ?>) {
      return "dict";
    }
    return "str";
  }

  ObjectNode toJson(JsonCodec json) {
    ObjectNode o = json.newObject();
    o.put("section", section);
    o.put("name", name);
    o.put("value", value);
    o.put("type", type);
    return o;
  }
}
