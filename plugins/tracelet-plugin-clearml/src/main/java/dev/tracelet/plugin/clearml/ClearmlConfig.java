package dev.tracelet.plugin.clearml;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.http.ConfigValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code clearml.*} settings of one session, parsed and checked. Immutable; {@link #toString()}
 * never shows a key, secret or token.
 */
final class ClearmlConfig {
  static final String API_HOST = "api_host";
  static final String WEB_HOST = "web_host";
  static final String FILES_HOST = "files_host";
  static final String ACCESS_KEY = "access_key";
  static final String SECRET_KEY = "secret_key";
  static final String AUTH_TOKEN = "auth_token";
  static final String PROJECT = "project";
  static final String TASK_NAME = "task_name";
  static final String PING_INTERVAL = "ping_interval_seconds";
  static final String MAX_RETRIES = "max_retries";
  static final String CONNECT_TIMEOUT = "connect_timeout_seconds";
  static final String READ_TIMEOUT = "read_timeout_seconds";
  static final String MAX_REQUEST_BYTES = "max_request_bytes";
  static final String VERIFY_CERT = "verify_cert";

  /** The SDK's {@code api.http.max_req_size}: 15 MiB. */
  static final int SERVER_MAX_REQUEST_BYTES = 15 * 1024 * 1024;

  static final int MIN_REQUEST_BYTES = 4 * 1024;

  static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              API_HOST,
              "ClearML API server URL, such as http://localhost:8008 or https://api.clear.ml",
              null,
              false,
              List.of("CLEARML_API_HOST", "TRAINS_API_HOST")),
          new ConfigKey(
              WEB_HOST,
              "ClearML web app URL (for links); derived from api_host when not set",
              null,
              false,
              List.of("CLEARML_WEB_HOST", "TRAINS_WEB_HOST")),
          new ConfigKey(
              FILES_HOST,
              "ClearML file server URL (artifacts); derived from api_host when not set",
              null,
              false,
              List.of("CLEARML_FILES_HOST", "TRAINS_FILES_HOST")),
          new ConfigKey(
              ACCESS_KEY,
              "ClearML API access key, used with secret_key to log in",
              null,
              true,
              List.of("CLEARML_API_ACCESS_KEY", "TRAINS_API_ACCESS_KEY")),
          new ConfigKey(
              SECRET_KEY,
              "ClearML API secret key",
              null,
              true,
              List.of("CLEARML_API_SECRET_KEY", "TRAINS_API_SECRET_KEY")),
          new ConfigKey(
              AUTH_TOKEN,
              "a pre-issued ClearML token, used instead of logging in with the keys",
              null,
              true,
              List.of("CLEARML_AUTH_TOKEN")),
          new ConfigKey(
              PROJECT,
              "ClearML project of the tasks; default: the run's project",
              null,
              false,
              List.of()),
          new ConfigKey(
              TASK_NAME,
              "name of the ClearML task; default: the experiment's name",
              null,
              false,
              List.of()),
          new ConfigKey(
              PING_INTERVAL,
              "seconds without any request after which the running task is pinged (0: never)",
              "30",
              false,
              List.of()),
          new ConfigKey(
              MAX_RETRIES,
              "retries of a request answered 429, 5xx or not at all, with exponential backoff",
              "5",
              false,
              List.of()),
          new ConfigKey(
              CONNECT_TIMEOUT, "seconds to wait for a connection", "10", false, List.of()),
          new ConfigKey(
              READ_TIMEOUT,
              "seconds a request may stall while sending or receiving",
              "300",
              false,
              List.of()),
          new ConfigKey(
              MAX_REQUEST_BYTES,
              "largest request body; event and parameter batches are split below it",
              Integer.toString(SERVER_MAX_REQUEST_BYTES),
              false,
              List.of()),
          new ConfigKey(
              VERIFY_CERT,
              "false accepts any TLS certificate (test servers only)",
              "true",
              false,
              List.of("CLEARML_API_HOST_VERIFY_CERT")));

  private final ClearmlHosts hosts;
  private final @Nullable String accessKey;
  private final @Nullable String secretKey;
  private final @Nullable String authToken;
  private final @Nullable String project;
  private final @Nullable String taskName;
  private final Duration pingInterval;
  private final int maxRetries;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final int maxRequestBytes;
  private final boolean verifyCert;

  private ClearmlConfig(Map<String, String> c) {
    this.hosts = ClearmlHosts.of(c.get(API_HOST), c.get(WEB_HOST), c.get(FILES_HOST));
    this.accessKey = nonBlank(c.get(ACCESS_KEY));
    this.secretKey = nonBlank(c.get(SECRET_KEY));
    this.authToken = nonBlank(c.get(AUTH_TOKEN));
    if ((accessKey == null) != (secretKey == null)) {
      throw new ConfigurationException(
          "clearml."
              + (accessKey == null ? ACCESS_KEY : SECRET_KEY)
              + " is not set while clearml."
              + (accessKey == null ? SECRET_KEY : ACCESS_KEY)
              + " is; set both (CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY).");
    }
    if (accessKey == null && authToken == null) {
      throw new ConfigurationException(
          "ClearML needs credentials: set clearml.access_key and clearml.secret_key (or"
              + " CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY). Create them in the ClearML"
              + " web app under Settings > Workspace > Create new credentials.");
    }
    this.project = nonBlank(c.get(PROJECT));
    this.taskName = nonBlank(c.get(TASK_NAME));
    this.pingInterval = Duration.ofSeconds(integer(c, PING_INTERVAL, 30, 0, 3_600));
    this.maxRetries = integer(c, MAX_RETRIES, 5, 0, 50);
    this.connectTimeout = Duration.ofSeconds(integer(c, CONNECT_TIMEOUT, 10, 1, 3_600));
    this.readTimeout = Duration.ofSeconds(integer(c, READ_TIMEOUT, 300, 1, 86_400));
    this.maxRequestBytes =
        integer(
            c,
            MAX_REQUEST_BYTES,
            SERVER_MAX_REQUEST_BYTES,
            MIN_REQUEST_BYTES,
            SERVER_MAX_REQUEST_BYTES);
    this.verifyCert = bool(c, VERIFY_CERT, true);
  }

  /**
   * Parses the backend's own settings (keys without the {@code clearml.} prefix).
   *
   * @throws ConfigurationException naming the key, the value and the accepted form
   */
  static ClearmlConfig from(Map<String, String> config) {
    return new ClearmlConfig(config);
  }

  ClearmlHosts hosts() {
    return hosts;
  }

  @Nullable String accessKey() {
    return accessKey;
  }

  @Nullable String secretKey() {
    return secretKey;
  }

  @Nullable String authToken() {
    return authToken;
  }

  @Nullable String project() {
    return project;
  }

  @Nullable String taskName() {
    return taskName;
  }

  /** Zero: never ping. */
  Duration pingInterval() {
    return pingInterval;
  }

  int maxRetries() {
    return maxRetries;
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  Duration readTimeout() {
    return readTimeout;
  }

  int maxRequestBytes() {
    return maxRequestBytes;
  }

  boolean verifyCert() {
    return verifyCert;
  }

  @Override
  public String toString() {
    return "ClearmlConfig{hosts="
        + hosts
        + ", credentials="
        + (accessKey != null ? "keys" : "token")
        + ", project="
        + project
        + ", taskName="
        + taskName
        + ", pingInterval="
        + pingInterval
        + ", maxRetries="
        + maxRetries
        + ", maxRequestBytes="
        + maxRequestBytes
        + ", verifyCert="
        + verifyCert
        + '}';
  }

  private static int integer(Map<String, String> c, String key, int def, int min, int max) {
    return new ConfigValues("clearml", c).integer(key, def, min, max);
  }

  private static boolean bool(Map<String, String> c, String key, boolean def) {
    return new ConfigValues("clearml", c).bool(key, def);
  }

  private static @Nullable String nonBlank(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
