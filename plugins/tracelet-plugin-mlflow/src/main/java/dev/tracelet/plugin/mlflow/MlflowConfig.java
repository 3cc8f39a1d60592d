package dev.tracelet.plugin.mlflow;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.http.ConfigValues;
import dev.tracelet.http.HttpAuth;
import dev.tracelet.http.HttpClientSettings;
import dev.tracelet.http.RetryPolicy;
import dev.tracelet.http.TlsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/** The MLflow backend's settings, read from the keys the runtime hands over (no prefix). */
final class MlflowConfig {
  static final List<ConfigKey> KEYS =
      List.of(
          key(
              "tracking_uri",
              "MLflow server URL, http(s)://host:port[/prefix]",
              null,
              false,
              "MLFLOW_TRACKING_URI"),
          key(
              "username",
              "HTTP Basic user (with password)",
              null,
              false,
              "MLFLOW_TRACKING_USERNAME"),
          key(
              "password",
              "HTTP Basic password (with username)",
              null,
              true,
              "MLFLOW_TRACKING_PASSWORD"),
          key(
              "token",
              "Bearer token, used when username and password are not both set",
              null,
              true,
              "MLFLOW_TRACKING_TOKEN"),
          key(
              "credentials_file",
              "INI file with [mlflow] mlflow_tracking_username/password; default"
                  + " ~/.mlflow/credentials",
              null,
              false),
          key(
              "insecure_tls",
              "Skip TLS certificate and host-name checks (test servers only)",
              "false",
              false,
              "MLFLOW_TRACKING_INSECURE_TLS"),
          key(
              "server_cert_path",
              "PEM file of CA certificates to trust for the server",
              null,
              false,
              "MLFLOW_TRACKING_SERVER_CERT_PATH"),
          key(
              "client_cert_path",
              "PEM file with a client certificate and its PKCS#8 key",
              null,
              false,
              "MLFLOW_TRACKING_CLIENT_CERT_PATH"),
          key(
              "run_id",
              "Attach to this existing MLflow run instead of creating one",
              null,
              false,
              "MLFLOW_RUN_ID"),
          key(
              "max_retries",
              "Retries of a failed request (408, 429, 5xx, connection errors)",
              "5",
              false,
              "MLFLOW_HTTP_REQUEST_MAX_RETRIES"),
          key(
              "backoff_factor",
              "First retry wait in seconds; doubles each retry, at most 60 s",
              "1",
              false,
              "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"),
          key(
              "backoff_jitter",
              "Random extra wait of up to this many seconds per retry",
              "1.0",
              false,
              "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER"),
          key(
              "respect_retry_after",
              "Wait as long as the server's Retry-After asks",
              "true",
              false,
              "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER"),
          key(
              "request_timeout",
              "Seconds a request may stay silent before it fails",
              "120",
              false,
              "MLFLOW_HTTP_REQUEST_TIMEOUT"),
          key("connect_timeout", "Seconds to wait for a connection", "10", false),
          key(
              "truncate_long_values",
              "Truncate over-long param and tag values (with a warning) instead of dropping them",
              "true",
              false,
              "MLFLOW_TRUNCATE_LONG_VALUES"),
          key(
              "model_version_timeout",
              "Seconds to wait for a registered model version to become READY",
              "300",
              false));

  final HttpUrl trackingUri;
  final HttpAuth auth;
  final TlsOptions tls;
  final RetryPolicy retry;
  final Duration requestTimeout;
  final Duration connectTimeout;
  final @Nullable String runId;
  final boolean truncateLongValues;
  final Duration modelVersionTimeout;

  private MlflowConfig(Map<String, String> c, Path home) {
    String uri = trimToNull(c.get("tracking_uri"));
    if (uri == null) {
      throw new ConfigurationException(
          "mlflow.tracking_uri is not set. Set it (or MLFLOW_TRACKING_URI) to the MLflow server,"
              + " for example http://127.0.0.1:5000");
    }
    HttpUrl parsed = HttpUrl.parse(uri);
    if (parsed == null) {
      throw new ConfigurationException(
          "mlflow.tracking_uri '"
              + uri
              + "' is not an http(s) URL. Tracelet talks to MLflow servers over REST only; give"
              + " http(s)://host:port[/prefix] (file: stores and 'databricks' are not supported)");
    }
    if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
      throw new ConfigurationException(
          "mlflow.tracking_uri must not carry credentials; use mlflow.username and"
              + " mlflow.password (MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD)");
    }
    this.trackingUri = parsed;
    this.auth = auth(c, home);
    String serverCert = trimToNull(c.get("server_cert_path"));
    String clientCert = trimToNull(c.get("client_cert_path"));
    this.tls =
        new TlsOptions(
            bool(c, "insecure_tls", false),
            serverCert == null ? null : Path.of(serverCert),
            clientCert == null ? null : Path.of(clientCert));
    int maxRetries = (int) number(c, "max_retries", 5, 0, 100);
    double factor = number(c, "backoff_factor", 1, 0, 600);
    double jitter = number(c, "backoff_jitter", 1, 0, 600);
    this.retry =
        new RetryPolicy(
            maxRetries,
            millis(factor),
            Duration.ofSeconds(60),
            millis(jitter),
            bool(c, "respect_retry_after", true),
            Duration.ofMinutes(5));
    this.requestTimeout = millis(number(c, "request_timeout", 120, 1, 86_400));
    this.connectTimeout = millis(number(c, "connect_timeout", 10, 1, 3_600));
    this.runId = trimToNull(c.get("run_id"));
    this.truncateLongValues = bool(c, "truncate_long_values", true);
    this.modelVersionTimeout = millis(number(c, "model_version_timeout", 300, 0, 86_400));
  }

  static MlflowConfig from(Map<String, String> config) {
    return new MlflowConfig(config, Path.of(System.getProperty("user.home", ".")));
  }

  static MlflowConfig from(Map<String, String> config, Path home) {
    return new MlflowConfig(config, home);
  }

  HttpClientSettings httpSettings(String threadName) {
    return HttpClientSettings.builder()
        .connectTimeout(connectTimeout)
        .readTimeout(requestTimeout)
        .writeTimeout(requestTimeout)
        .tls(tls)
        .auth(auth)
        .userAgent("tracelet-mlflow")
        .threadName(threadName)
        .tlsHelp(
            "set mlflow.server_cert_path (MLFLOW_TRACKING_SERVER_CERT_PATH) to its CA certificate"
                + " (PEM), or, for a test server only, turn the checks off with"
                + " mlflow.insecure_tls=true (MLFLOW_TRACKING_INSECURE_TLS).")
        .build();
  }

  @Override
  public String toString() {
    return "MlflowConfig{trackingUri="
        + trackingUri
        + ", auth="
        + auth
        + ", tls="
        + tls
        + ", retry="
        + retry
        + ", runId="
        + runId
        + '}';
  }

  private static HttpAuth auth(Map<String, String> c, Path home) {
    String user = trimToNull(c.get("username"));
    String password = c.get("password");
    if (user == null || password == null) {
      Map<String, String> file = credentialsFile(c, home);
      user = user != null ? user : file.get("mlflow_tracking_username");
      password = password != null ? password : file.get("mlflow_tracking_password");
    }
    // The official clients' order (not their docstring's): Basic when both are set, else Bearer.
    if (user != null && password != null) {
      return HttpAuth.basic(user, password);
    }
    String token = trimToNull(c.get("token"));
    return token == null ? HttpAuth.none() : HttpAuth.bearer(token);
  }

  /** MLflow's credentials file: an INI file whose {@code [mlflow]} section holds the keys. */
  private static Map<String, String> credentialsFile(Map<String, String> c, Path home) {
    String configured = trimToNull(c.get("credentials_file"));
    Path file = configured != null ? Path.of(configured) : home.resolve(".mlflow/credentials");
    Map<String, String> out = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      if (configured != null) {
        throw new ConfigurationException(
            "mlflow.credentials_file " + file + " does not exist; fix the path or unset it");
      }
      return out;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigurationException("Cannot read MLflow credentials file " + file + ": " + e, e);
    }
    boolean inSection = false;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        inSection = line.equals("[mlflow]");
        continue;
      }
      int eq = line.indexOf('=') >= 0 ? line.indexOf('=') : line.indexOf(':');
      if (inSection && eq > 0) {
        out.put(
            line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
      }
    }
    return out;
  }

  private static boolean bool(Map<String, String> c, String key, boolean dflt) {
    return new ConfigValues("mlflow", c).bool(key, dflt);
  }

  private static double number(
      Map<String, String> c, String key, double dflt, double min, double max) {
    return new ConfigValues("mlflow", c).number(key, dflt, min, max);
  }

  private static Duration millis(double seconds) {
    return ConfigValues.seconds(seconds);
  }

  private static @Nullable String trimToNull(@Nullable String s) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }

  private static ConfigKey key(
      String name, String description, @Nullable String dflt, boolean secret, String... env) {
    return new ConfigKey(name, description, dflt, secret, List.of(env));
  }
}
