package dev.tracelet.plugin.wandb.stub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The checks W&amp;B applies that the stub enforces, as pure functions, so each can be read (and
 * tested) on its own. Every method returns null when the input is acceptable, else the reason.
 */
final class StubRules {
  static final long MAX_REQUEST_BYTES = 10L << 20;
  static final long MAX_LINE_BYTES = (10L << 20) - (100L << 10);
  static final int MAX_TAG_LENGTH = 64;
  static final int MAX_PROJECT_LENGTH = 128;

  /** Lines are W&amp;B's extended JSON: NaN and infinities as bare tokens. */
  static final ObjectMapper LINES =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  static final ObjectMapper JSON = JsonMapper.builder().build();

  private StubRules() {}

  static @Nullable String runId(@Nullable String id) {
    if (id == null || id.isEmpty()) {
      return "run name (id) is missing";
    }
    if (!id.strip().equals(id)) {
      return "run id '" + id + "' has leading or trailing white space";
    }
    for (char c : ":;,#?/'".toCharArray()) {
      if (id.indexOf(c) >= 0) {
        return "run id '" + id + "' contains '" + c + "'";
      }
    }
    return null;
  }

  static @Nullable String project(String project) {
    if (project.isBlank()) {
      return "project name is empty";
    }
    if (project.length() > MAX_PROJECT_LENGTH) {
      return "project name is longer than " + MAX_PROJECT_LENGTH + " characters";
    }
    for (char c : "/\\#?%:".toCharArray()) {
      if (project.indexOf(c) >= 0) {
        return "project name '" + project + "' contains '" + c + "'";
      }
    }
    return null;
  }

  /** {@code config} must be a JSON string of an object whose entries are {@code {"value": …}}. */
  static @Nullable String config(JsonNode config) {
    if (!config.isTextual()) {
      return "config must be a JSON string, got " + config.getNodeType();
    }
    JsonNode parsed;
    try {
      parsed = LINES.readTree(config.asText());
    } catch (JsonProcessingException e) {
      return "config is not JSON: " + e.getOriginalMessage();
    }
    if (!parsed.isObject()) {
      return "config must hold a JSON object";
    }
    var fields = parsed.properties().iterator();
    while (fields.hasNext()) {
      var e = fields.next();
      JsonNode v = e.getValue();
      if (!v.isObject() || !v.has("value")) {
        return "config entry '" + e.getKey() + "' is not a {\"value\": ...} wrapper";
      }
      var names = v.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        if (!n.equals("value") && !n.equals("desc")) {
          return "config entry '" + e.getKey() + "' has an unknown field '" + n + "'";
        }
      }
    }
    return null;
  }

  static @Nullable String tags(JsonNode tags) {
    if (!tags.isArray()) {
      return "tags must be a list of strings";
    }
    for (JsonNode t : tags) {
      if (!t.isTextual()) {
        return "tags must be a list of strings";
      }
      String s = t.asText();
      if (s.isEmpty() || s.length() > MAX_TAG_LENGTH) {
        return "tag '" + s + "' must be 1 to " + MAX_TAG_LENGTH + " characters";
      }
    }
    return null;
  }

  /** One history line: a JSON object with {@code _step}, {@code _runtime}, {@code _timestamp}. */
  static @Nullable String historyLine(String line) {
    ObjectNode o = object(line);
    if (o == null) {
      return "history line is not a JSON object: " + abbreviate(line);
    }
    JsonNode step = o.get("_step");
    if (step == null || !step.isIntegralNumber() || step.asLong() < 0) {
      return "history line lacks an integer _step: " + abbreviate(line);
    }
    String times = times(o, line);
    if (times != null) {
      return times;
    }
    return lineSize(line);
  }

  static @Nullable String eventsLine(String line) {
    ObjectNode o = object(line);
    if (o == null) {
      return "events line is not a JSON object: " + abbreviate(line);
    }
    String times = times(o, line);
    return times != null ? times : lineSize(line);
  }

  static @Nullable String summaryLine(String line) {
    ObjectNode o = object(line);
    if (o == null) {
      return "summary is not a JSON object: " + abbreviate(line);
    }
    return lineSize(line);
  }

  private static @Nullable String times(ObjectNode o, String line) {
    JsonNode runtime = o.get("_runtime");
    if (runtime == null || !runtime.isNumber() || runtime.asDouble() < 0) {
      return "line lacks a non-negative numeric _runtime: " + abbreviate(line);
    }
    JsonNode ts = o.get("_timestamp");
    if (ts == null || !ts.isNumber() || ts.asDouble() <= 0) {
      return "line lacks a numeric _timestamp: " + abbreviate(line);
    }
    if (ts.asDouble() > 1e11) {
      return "_timestamp " + ts.asText() + " is in milliseconds; W&B wants seconds";
    }
    return null;
  }

  private static @Nullable String lineSize(String line) {
    return line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES
        ? "line longer than " + MAX_LINE_BYTES + " bytes"
        : null;
  }

  static @Nullable ObjectNode object(String line) {
    try {
      return LINES.readTree(line) instanceof ObjectNode o ? o : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** {@code Authorization: Basic base64("api:" + key)} and nothing else. */
  static boolean authorized(@Nullable String header, String apiKey) {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("api:" + apiKey).getBytes(StandardCharsets.UTF_8));
    return expected.equals(header);
  }

  /** The artifact digest W&amp;B computes from manifest entries ({@code MANIFEST_MD5}). */
  static String artifactDigest(ObjectNode contents) {
    java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
    contents
        .properties()
        .forEach(e -> sorted.put(e.getKey(), e.getValue().path("digest").asText()));
    StringBuilder text = new StringBuilder("wandb-artifact-manifest-v1\n");
    sorted.forEach((name, digest) -> text.append(name).append(':').append(digest).append('\n'));
    return HexFormat.of().formatHex(md5(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  static @Nullable String manifest(JsonNode m) {
    if (!(m instanceof ObjectNode o)) {
      return "manifest is not a JSON object";
    }
    if (o.path("version").asInt(-1) != 1) {
      return "manifest version must be 1";
    }
    if (!"wandb-storage-policy-v1".equals(o.path("storagePolicy").asText())) {
      return "manifest storagePolicy must be wandb-storage-policy-v1";
    }
    if (!"V2".equals(o.path("storagePolicyConfig").path("storageLayout").asText())) {
      return "manifest storageLayout must be V2";
    }
    JsonNode contents = o.path("contents");
    if (!contents.isObject()) {
      return "manifest contents must be an object";
    }
    var it = contents.properties().iterator();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode entry = e.getValue();
      if (!entry.path("digest").isTextual() || !entry.path("size").isIntegralNumber()) {
        return "manifest entry '" + e.getKey() + "' needs a digest string and an integer size";
      }
    }
    return null;
  }

  static byte[] md5(byte[] bytes) {
    try {
      return MessageDigest.getInstance("MD5").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64md5(byte[] bytes) {
    return Base64.getEncoder().encodeToString(md5(bytes));
  }

  static boolean isBase64Md5(String s) {
    try {
      return Base64.getDecoder().decode(s).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
