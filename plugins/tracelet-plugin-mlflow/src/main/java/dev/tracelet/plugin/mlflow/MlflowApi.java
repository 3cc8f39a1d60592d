package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.http.HttpResponseException;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.http.ManagedHttpClient;
import dev.tracelet.http.RetryingCaller;
import dev.tracelet.http.SafeUrls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * MLflow's REST transport: {@code {tracking_uri}/api/2.0/mlflow/<path>}, GET with query parameters,
 * POST/PATCH/DELETE with a JSON body, retries by {@link RetryingCaller}, and errors mapped to
 * {@link MlflowApiException} with MLflow's {@code error_code}. Thread-safe.
 */
final class MlflowApi implements AutoCloseable {
  private final HttpUrl base;
  private final ManagedHttpClient http;
  private final RetryingCaller caller;
  private final JsonCodec json = new JsonCodec();

  MlflowApi(HttpUrl trackingUri, ManagedHttpClient http, RetryingCaller caller) {
    this.base = trackingUri;
    this.http = http;
    this.caller = caller;
  }

  static MlflowApi open(MlflowConfig config, System.Logger logger, String threadName) {
    ManagedHttpClient http = ManagedHttpClient.create(config.httpSettings(threadName));
    return new MlflowApi(
        config.trackingUri, http, RetryingCaller.create(http, config.retry, logger));
  }

  JsonCodec json() {
    return json;
  }

  HttpUrl trackingUri() {
    return base;
  }

  /** {@code tracking_uri} + {@code segments}, each segment split at '/' and encoded. */
  HttpUrl url(String path) {
    HttpUrl.Builder b = base.newBuilder();
    for (String seg : path.split("/")) {
      if (!seg.isEmpty()) {
        b.addPathSegment(seg);
      }
    }
    return b.build();
  }

  ObjectNode get(String path, Map<String, ?> query) {
    HttpUrl.Builder u = url("api/2.0/mlflow/" + path).newBuilder();
    for (Map.Entry<String, ?> e : query.entrySet()) {
      if (e.getValue() instanceof List<?> values) {
        for (Object v : values) {
          u.addQueryParameter(e.getKey(), String.valueOf(v));
        }
      } else if (e.getValue() != null) {
        u.addQueryParameter(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    return call(new Request.Builder().url(u.build()).get().build());
  }

  ObjectNode post(String path, Object body) {
    return send("POST", path, body);
  }

  ObjectNode send(String method, String path, Object body) {
    RequestBody rb = body instanceof byte[] bytes ? JsonCodec.body(bytes) : json.body(body);
    return call(
        new Request.Builder().url(url("api/2.0/mlflow/" + path)).method(method, rb).build());
  }

  /** Sends any request and returns its JSON object; used for the artifact proxy too. */
  ObjectNode call(Request request) {
    Response response = execute(request);
    if (!response.isSuccessful()) {
      throw error(response);
    }
    try {
      return json.readObject(response);
    } catch (IOException e) {
      throw new MlflowApiException(response.code(), "BAD_RESPONSE", e.getMessage());
    }
  }

  /**
   * Sends a request whose answer has no body to read (artifact uploads answer 200 with nothing).
   */
  void callDiscardingBody(Request request) {
    Response response = execute(request);
    if (!response.isSuccessful()) {
      throw error(response);
    }
    response.close();
  }

  /** Streams a successful response's body into {@code target}, never holding it in memory. */
  void download(HttpUrl url, Path target) {
    Response response = execute(new Request.Builder().url(url).get().build());
    if (!response.isSuccessful()) {
      throw error(response);
    }
    try (response) {
      ResponseBody body = response.body();
      Files.createDirectories(target.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download", ".part");
      try (InputStream in = body == null ? InputStream.nullInputStream() : body.byteStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new MlflowApiException(
          "Downloading " + SafeUrls.redact(url) + " to " + target + " failed: " + e, e);
    }
  }

  private Response execute(Request request) {
    try {
      return caller.execute(request);
    } catch (IOException e) {
      // A TLS refusal is not retried, and its message already says what to do.
      boolean retried = RetryingCaller.isRetryableFailure(e);
      throw new MlflowApiException(
          request.method()
              + " "
              + SafeUrls.redact(request.url())
              + (retried
                  ? " failed after " + caller.policy().maxRetries() + " retries: "
                  : " failed: ")
              + e
              + (retried
                  ? ". Check that the MLflow server at "
                      + SafeUrls.redact(base)
                      + " is running and reachable."
                  : ""),
          e);
    }
  }

  /** Maps an error answer: MLflow's JSON error when there is one, else the status alone. */
  MlflowApiException error(Response response) {
    HttpResponseException e = HttpResponseException.of(response);
    String code = "HTTP_" + e.status();
    String message = e.body();
    try {
      JsonNode node = json.read(e.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (node.hasNonNull("error_code")) {
        code = node.get("error_code").asText();
        message = node.path("message").asText("");
      }
    } catch (IOException | RuntimeException notJson) {
      // HTML 404 pages and the proxy's plain-text 503 are mapped by status alone.
    }
    String what = response.request().method() + " " + SafeUrls.redact(response.request().url());
    return new MlflowApiException(
        e.status(),
        code,
        what + " answered " + e.status() + " " + code + ": " + message + hint(e.status()));
  }

  private static String hint(int status) {
    return switch (status) {
      case 401 -> " (set mlflow.username/password or mlflow.token)";
      case 403 -> " (the credentials lack permission for this experiment or model)";
      case 503 -> " (is the server started with artifact serving, and is it up?)";
      default -> "";
    };
  }

  @Override
  public void close() {
    http.close();
  }
}
