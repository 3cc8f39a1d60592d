package dev.tracelet.plugin.clearml.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;

/**
 * ClearML's response envelope: {@code meta} (with {@code result_code} equal to the HTTP status) and
 * {@code data}, on success and on error alike.
 */
final class Envelope {
  private Envelope() {}

  static StubResponse ok(ObjectMapper mapper, String endpoint, String version, JsonNode data) {
    return build(mapper, endpoint, version, 200, 0, "OK", mapper.createObjectNode(), data);
  }

  static StubResponse error(
      ObjectMapper mapper, String endpoint, String version, int code, int subcode, String msg) {
    return error(mapper, endpoint, version, code, subcode, msg, Map.of());
  }

  static StubResponse error(
      ObjectMapper mapper,
      String endpoint,
      String version,
      int code,
      int subcode,
      String msg,
      Map<String, ?> errorData) {
    return build(
        mapper,
        endpoint,
        version,
        code,
        subcode,
        msg,
        mapper.valueToTree(errorData),
        mapper.createObjectNode());
  }

  private static StubResponse build(
      ObjectMapper mapper,
      String endpoint,
      String version,
      int code,
      int subcode,
      String msg,
      JsonNode errorData,
      JsonNode data) {
    ObjectNode root = mapper.createObjectNode();
    ObjectNode meta = root.putObject("meta");
    meta.put("id", UUID.randomUUID().toString().replace("-", ""));
    meta.put("trx", UUID.randomUUID().toString().replace("-", ""));
    ObjectNode ep = meta.putObject("endpoint");
    ep.put("name", endpoint);
    ep.put("requested_version", version);
    ep.put("actual_version", version);
    meta.put("result_code", code);
    meta.put("result_subcode", subcode);
    meta.put("result_msg", msg);
    meta.putNull("error_stack");
    meta.set("error_data", errorData);
    root.set("data", data);
    try {
      return StubResponse.of(code, subcode, "application/json", mapper.writeValueAsBytes(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
