package dev.tracelet.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * JSON as remote tracking servers speak it. Guarantees: unknown response fields are ignored (newer
 * servers add fields); NaN and infinities are written as the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"} (protobuf's JSON mapping) and read back from strings or bare
 * tokens; no buffer is cached in a thread-local (so no thread keeps a plugin's loader alive); no
 * class is looked up through the thread's context class loader (Jackson modules are not
 * auto-discovered), so it behaves the same inside a plugin loader. Thread-safe.
 */
public final class JsonCodec {
  /** {@code application/json; charset=utf-8}. */
  public static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final ObjectMapper mapper;

  public JsonCodec() {
    JsonFactory factory =
        JsonFactory.builder()
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Jackson's default buffer pool lives in a ThreadLocal of every thread that ever
            // parsed, which would keep a plugin's class loader alive after it is unloaded. A
            // pool owned by this codec goes when the codec goes.
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public ObjectNode newObject() {
    return mapper.createObjectNode();
  }

  /** A streaming generator over {@code out}, for bodies built entity by entity. */
  public JsonGenerator generator(ByteArrayOutputStream out) {
    try {
      return mapper.getFactory().createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A re-playable JSON request body. */
  public RequestBody body(Object value) {
    return RequestBody.create(write(value), JSON);
  }

  /** A re-playable JSON request body from bytes already encoded. */
  public static RequestBody body(byte[] json) {
    return RequestBody.create(json, JSON);
  }

  public JsonNode read(InputStream in) throws IOException {
    try (JsonParser p = mapper.getFactory().createParser(in)) {
      JsonNode node = mapper.readTree(p);
      return node == null ? mapper.missingNode() : node;
    }
  }

  public JsonNode read(byte[] json) throws IOException {
    JsonNode node = mapper.readTree(json);
    return node == null ? mapper.missingNode() : node;
  }

  /**
   * The body of a successful response as a JSON object (closing the response).
   *
   * @throws IOException if the body cannot be read or is not a JSON object, as when a proxy answers
   *     200 with an HTML page
   */
  public ObjectNode readObject(Response response) throws IOException {
    try (response) {
      ResponseBody body = response.body();
      JsonNode node = body == null ? mapper.missingNode() : read(body.byteStream());
      if (node instanceof ObjectNode o) {
        return o;
      }
      throw new IOException(
          response.request().method()
              + " "
              + SafeUrls.redact(response.request().url())
              + " answered "
              + response.code()
              + " without a JSON object (content type "
              + response.header("Content-Type")
              + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(
          response.request().method()
              + " "
              + SafeUrls.redact(response.request().url())
              + " answered "
              + response.code()
              + " with a body that is not JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * A double from a number, a numeric string, or {@code "NaN"}/{@code "Infinity"}/{@code
   * "-Infinity"}.
   */
  public static double readDouble(JsonNode node) {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    String s = node.asText();
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "Infinity", "+Infinity", "inf" -> Double.POSITIVE_INFINITY;
      case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  /**
   * A long from a number or a numeric string (int64 as protobuf JSON may print it); 0 if absent.
   */
  public static long readLong(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return 0;
    }
    if (node.isNumber()) {
      return node.longValue();
    }
    String s = node.asText();
    return s.isEmpty() ? 0 : Long.parseLong(s);
  }
}
