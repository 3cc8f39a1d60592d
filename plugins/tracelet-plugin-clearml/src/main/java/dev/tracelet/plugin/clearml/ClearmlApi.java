package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.http.HttpAuth;
import dev.tracelet.http.HttpClientSettings;
import dev.tracelet.http.HttpResponseException;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.http.ManagedHttpClient;
import dev.tracelet.http.RetryPolicy;
import dev.tracelet.http.RetryingCaller;
import dev.tracelet.http.SafeUrls;
import dev.tracelet.http.Sleeper;
import dev.tracelet.http.TlsOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * ClearML's transport: calls {@code {api_host}/v2.14/<service>.<action>} as JSON (or json-lines)
 * POSTs, unwraps the response envelope, and uploads files to the file server.
 *
 * <p>Guarantees: every call but {@code auth.login} carries {@code Authorization: Bearer <token>};
 * the token is obtained with {@code auth.login} (HTTP Basic with the access and secret key),
 * renewed shortly before it expires, and renewed once more and the call repeated once when the
 * server answers 401. Answers 429 and 5xx and failed connections are retried by tracelet-http's
 * {@link RetryingCaller}; an error envelope becomes a {@link ClearmlApiException}, any other
 * failure a {@link BackendException}. Json-lines bodies are sent with the content type exactly
 * {@code application/json-lines} (the server compares it verbatim), and nothing is ever compressed.
 * Thread-safe: the session's worker and its ping timer share one instance.
 */
final class ClearmlApi implements AutoCloseable {
  /**
   * The endpoint version asked for. Every call used here exists at 2.14 (the oldest being 2.1, and
   * {@code search_hidden} of {@code projects.get_all} arriving in 2.14), and the server answers
   * each with the highest version of the endpoint not above it, so a newer server cannot change
   * what we get.
   */
  static final String API_VERSION = "2.14";

  static final MediaType JSON = MediaType.get("application/json");
  static final MediaType JSON_LINES = MediaType.get("application/json-lines");

  private static final String LOGIN = "auth.login";

  private final ClearmlHosts hosts;
  private final @Nullable HttpAuth loginAuth;
  private final ManagedHttpClient http;
  private final RetryingCaller caller;
  private final JsonCodec json;
  private final Clock clock;

  // Guarded by this. Null until the first call.
  private @Nullable AuthToken token;

  ClearmlApi(
      ClearmlHosts hosts,
      @Nullable HttpAuth loginAuth,
      @Nullable String preIssuedToken,
      ManagedHttpClient http,
      RetryingCaller caller,
      JsonCodec json,
      Clock clock) {
    this.hosts = hosts;
    this.loginAuth = loginAuth;
    this.http = http;
    this.caller = caller;
    this.json = json;
    this.clock = clock;
    this.token =
        preIssuedToken == null ? null : AuthToken.of(preIssuedToken, clock.instant(), json);
  }

  /** A client for {@code config}, with real sleeps between retries. */
  static ClearmlApi open(
      ClearmlConfig config, System.Logger logger, String threadName, Clock clock, Sleeper sleeper) {
    ManagedHttpClient http =
        ManagedHttpClient.create(
            HttpClientSettings.builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .writeTimeout(config.readTimeout())
                .tls(config.verifyCert() ? TlsOptions.defaults() : new TlsOptions(true, null, null))
                .userAgent("tracelet-clearml/" + ClearmlBackendPlugin.version())
                .threadName(threadName)
                .tlsHelp(
                    "add its CA certificate to the JVM's trust store"
                        + " (-Djavax.net.ssl.trustStore=<file>), or, for a test server only, turn"
                        + " the checks off with clearml.verify_cert=false"
                        + " (CLEARML_API_HOST_VERIFY_CERT).")
                .build());
    RetryPolicy policy =
        new RetryPolicy(
            config.maxRetries(),
            Duration.ofSeconds(1),
            Duration.ofSeconds(120),
            Duration.ofSeconds(1),
            true,
            Duration.ofMinutes(5));
    RetryingCaller caller =
        new RetryingCaller(
            http.okHttp(),
            policy,
            sleeper,
            () -> ThreadLocalRandom.current().nextDouble(),
            clock,
            logger);
    HttpAuth basic =
        config.accessKey() == null
            ? null
            : HttpAuth.basic(config.accessKey(), Objects.requireNonNull(config.secretKey()));
    return new ClearmlApi(
        config.hosts(), basic, config.authToken(), http, caller, new JsonCodec(), clock);
  }

  JsonCodec json() {
    return json;
  }

  ClearmlHosts hosts() {
    return hosts;
  }

  /**
   * Calls {@code endpoint} (such as {@code tasks.create}) with a JSON body and returns the {@code
   * data} of the reply.
   */
  ObjectNode call(String endpoint, ObjectNode body) {
    return send(endpoint, RequestBody.create(json.write(body), JSON));
  }

  /** Calls a batch endpoint ({@code events.add_batch}) with json-lines, one object per line. */
  ObjectNode callJsonLines(String endpoint, byte[] lines) {
    // From bytes: a String body would get "; charset=utf-8" appended, which the server rejects.
    return send(endpoint, RequestBody.create(lines, JSON_LINES));
  }

  /** The URL a file stored under {@code path} on the file server is downloaded from. */
  String fileUrl(String path) {
    HttpUrl.Builder b = HttpUrl.get(hosts.files()).newBuilder();
    for (String segment : path.split("/", -1)) {
      b.addPathSegment(segment);
    }
    return b.build().toString();
  }

  /**
   * Uploads {@code file} to the file server under {@code path} (a {@code /}-separated relative
   * path; the form field's name is the destination, as the file server expects).
   *
   * @throws BackendException when the file server refuses it or does not confirm the path
   */
  void upload(String path, Path file, MediaType contentType) {
    RequestBody body =
        new MultipartBody.Builder()
            .setType(MultipartBody.FORM)
            .addFormDataPart(path, path, RequestBody.create(file.toFile(), contentType))
            .build();
    HttpUrl url = HttpUrl.get(hosts.files() + "/");
    String what = "upload of " + path + " to the file server " + SafeUrls.redact(url);
    AuthToken used = currentToken();
    for (int attempt = 1; ; attempt++) {
      Request request =
          new Request.Builder().url(url).header("Authorization", bearer(used)).post(body).build();
      try (Response response = execute(request, what)) {
        if (response.code() == 401 && attempt == 1) {
          used = renew(used);
          continue;
        }
        if (!response.isSuccessful()) {
          throw new BackendException(
              ClearmlBackendPlugin.NAME,
              what
                  + " answered "
                  + response.code()
                  + excerpt(response)
                  + (response.code() == 401
                      ? "; the file server refused the API token: are api_host and files_host of"
                          + " the same ClearML server?"
                      : ""));
        }
        List<String> stored = storedPaths(response, what);
        if (!stored.isEmpty() && !stored.contains(path)) {
          throw new BackendException(
              ClearmlBackendPlugin.NAME,
              what + " stored it under " + stored + " instead; check files_host");
        }
        return;
      }
    }
  }

  @Override
  public void close() {
    http.close();
  }

  private ObjectNode send(String endpoint, RequestBody body) {
    HttpUrl url = apiUrl(endpoint);
    AuthToken used = currentToken();
    for (int attempt = 1; ; attempt++) {
      Request request =
          new Request.Builder().url(url).header("Authorization", bearer(used)).post(body).build();
      try (Response response = execute(request, endpoint)) {
        if (response.code() == 401 && attempt == 1) {
          // The token expired or was revoked early: log in again once, and repeat the call once.
          used = renew(used);
          continue;
        }
        return envelope(endpoint, response);
      }
    }
  }

  private synchronized AuthToken currentToken() {
    AuthToken t = token;
    if (t == null || (loginAuth != null && t.needsRefresh(clock.instant()))) {
      t = login(t);
      token = t;
    }
    return t;
  }

  /** A new token, unless another thread already replaced {@code stale}. */
  private synchronized AuthToken renew(AuthToken stale) {
    AuthToken t = token;
    if (t == null || t == stale) {
      t = login(stale);
      token = t;
    }
    return t;
  }

  private AuthToken login(@Nullable AuthToken previous) {
    String authorization;
    if (loginAuth != null) {
      authorization = loginAuth.authorizationHeader().orElseThrow();
    } else if (previous != null) {
      // Only a pre-issued token: the server trades a valid token for a fresh one, as the SDK does.
      authorization = bearer(previous);
    } else {
      throw new IllegalStateException("neither keys nor a token to log in with");
    }
    Request request =
        new Request.Builder()
            .url(apiUrl(LOGIN))
            .header("Authorization", authorization)
            .post(RequestBody.create("{}".getBytes(StandardCharsets.UTF_8), JSON))
            .build();
    try (Response response = execute(request, LOGIN)) {
      ObjectNode data = envelope(LOGIN, response);
      String value = data.path("token").asText("");
      if (value.isEmpty()) {
        throw new BackendException(
            ClearmlBackendPlugin.NAME,
            LOGIN + " answered without a token; is clearml.api_host the ClearML API server?");
      }
      return AuthToken.of(value, clock.instant(), json);
    }
  }

  private Response execute(Request request, String what) {
    try {
      return caller.execute(request);
    } catch (InterruptedIOException e) {
      throw new BackendException(
          ClearmlBackendPlugin.NAME, what + " was interrupted: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BackendException(
          ClearmlBackendPlugin.NAME,
          "cannot reach ClearML for "
              + what
              + " at "
              + SafeUrls.redact(request.url())
              + ": "
              + e
              + "; check clearml.api_host / clearml.files_host and that the server is up",
          e);
    }
  }

  private ObjectNode envelope(String endpoint, Response response) {
    byte[] bytes;
    try {
      ResponseBody b = response.body();
      bytes = b == null ? new byte[0] : b.bytes();
    } catch (IOException e) {
      throw new BackendException(
          ClearmlBackendPlugin.NAME,
          endpoint + " answered " + response.code() + " but the reply could not be read: " + e,
          e);
    }
    JsonNode root = null;
    try {
      root = bytes.length == 0 ? null : json.read(bytes);
    } catch (IOException e) {
      // Not JSON: reported below as "without the envelope".
    }
    JsonNode meta = root == null ? null : root.get("meta");
    if (meta == null || !meta.isObject()) {
      String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
      throw new BackendException(
          ClearmlBackendPlugin.NAME,
          endpoint
              + " answered "
              + response.code()
              + " without ClearML's response envelope"
              + (text.isBlank() ? "" : ": " + text.strip())
              + "; is clearml.api_host (CLEARML_API_HOST) the ClearML API server (port 8008 when"
              + " self-hosted)?");
    }
    int code = meta.path("result_code").asInt(response.code());
    if (response.code() != 200 || code != 200) {
      int subcode = meta.path("result_subcode").asInt(0);
      String message = meta.path("result_msg").asText("");
      JsonNode errorData = meta.path("error_data");
      if (errorData.isObject() && errorData.size() > 0) {
        String data = errorData.toString();
        message += " " + (data.length() > 300 ? data.substring(0, 300) + "…" : data);
      }
      throw new ClearmlApiException(
          endpoint, code == 200 ? response.code() : code, subcode, message);
    }
    JsonNode data = root.get("data");
    return data instanceof ObjectNode o ? o : json.newObject();
  }

  private List<String> storedPaths(Response response, String what) {
    try {
      ResponseBody b = response.body();
      JsonNode node = b == null ? null : json.read(b.bytes());
      List<String> paths = new ArrayList<>();
      if (node != null && node.isArray()) {
        node.forEach(n -> paths.add(n.asText()));
      }
      return paths;
    } catch (IOException e) {
      throw new BackendException(
          ClearmlBackendPlugin.NAME, what + " answered with an unreadable reply: " + e, e);
    }
  }

  private HttpUrl apiUrl(String endpoint) {
    return HttpUrl.get(hosts.api())
        .newBuilder()
        .addPathSegment("v" + API_VERSION)
        .addPathSegment(endpoint)
        .build();
  }

  private static String bearer(AuthToken token) {
    return HttpAuth.bearer(token.value()).authorizationHeader().orElseThrow();
  }

  private static String excerpt(Response response) {
    String body = HttpResponseException.bodyExcerpt(response);
    return body.isEmpty() ? "" : ": " + body;
  }
}
