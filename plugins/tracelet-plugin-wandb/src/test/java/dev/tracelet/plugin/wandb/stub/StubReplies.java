package dev.tracelet.plugin.wandb.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.plugin.wandb.stub.StubBackend.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The stub's answers, and the list of every request it refused and why. Used under the {@link
 * StubBackend}'s lock.
 */
final class StubReplies {
  private final List<String> rejections = new ArrayList<>();

  /** An HTTP error whose body is {@code {"errors": [{"message": reason}]}}. */
  Response reject(int status, String reason) {
    rejections.add(status + ": " + reason);
    return json(status, errors(reason));
  }

  /** W&amp;B reports GraphQL refusals with HTTP 200 and an {@code errors} list. */
  Response gqlReject(String reason) {
    rejections.add("GraphQL: " + reason);
    ObjectNode o = errors(reason);
    o.putNull("data");
    return json(200, o);
  }

  /** Records a refusal answered some other way (a 429 with headers). */
  void note(String reason) {
    rejections.add(reason);
  }

  List<String> rejections() {
    return List.copyOf(rejections);
  }

  void clear() {
    rejections.clear();
  }

  static ObjectNode errors(String message) {
    ObjectNode o = StubRules.object();
    o.putArray("errors").addObject().put("message", message);
    return o;
  }

  static Response data(ObjectNode data) {
    ObjectNode o = StubRules.object();
    o.set("data", data);
    return json(200, o);
  }

  static Response json(int status, JsonNode body) {
    return new Response(status, body.toString(), Map.of("Content-Type", "application/json"), false);
  }

  /** A string field, or null when it is absent, null or not a string. */
  static @Nullable String text(JsonNode v, String field) {
    JsonNode n = v.get(field);
    return n == null || n.isNull() || !n.isTextual() ? null : n.asText();
  }

  static String key(String entity, String project, String name) {
    return entity + "/" + project + "/" + name;
  }
}
