package dev.tracelet.plugin.wandb;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.http.ConfigValues;
import dev.tracelet.http.HttpAuth;
import dev.tracelet.http.HttpClientSettings;
import dev.tracelet.http.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The W&amp;B backend's settings, read from the keys the runtime hands over (no {@code wandb.}
 * prefix). Validates every value up front, so a bad setting fails when the run opens, naming the
 * key, the value and the accepted form. {@link #toString()} never shows the API key.
 */
final class WandbConfig {
  static final String DEFAULT_BASE_URL = "https://api.wandb.ai";

  static final List<ConfigKey> KEYS =
      List.of(
          key(
              "api_key",
              "W&B API key (else ~/.netrc for the API host)",
              null,
              true,
              "WANDB_API_KEY"),
          key("base_url", "W&B API server", DEFAULT_BASE_URL, false, "WANDB_BASE_URL"),
          key(
              "entity",
              "User or team the run belongs to; default: the key's",
              null,
              false,
              "WANDB_ENTITY"),
          key("project", "W&B project; default: Tracelet's project", null, false, "WANDB_PROJECT"),
          key("run_id", "W&B run id; default: Tracelet's run id", null, false, "WANDB_RUN_ID"),
          key("name", "Run display name; default: the experiment name", null, false, "WANDB_NAME"),
          key(
              "tags",
              "Comma-separated run tags, added to the experiment's",
              null,
              false,
              "WANDB_TAGS"),
          key("group", "Run group", null, false, "WANDB_RUN_GROUP"),
          key("job_type", "Run job type", null, false, "WANDB_JOB_TYPE"),
          key("notes", "Run notes", null, false, "WANDB_NOTES"),
          key(
              "mode",
              "online, or offline (kept in 'dir' for a later sync)",
              "online",
              false,
              "WANDB_MODE"),
          key("dir", "Where offline runs are kept", "wandb", false),
          key(
              "console",
              "auto (follow track_stdout), wrap or off: copy stdout/stderr to output.log",
              "auto",
              false,
              "WANDB_CONSOLE"),
          key(
              "netrc_file",
              "netrc file to read the API key from; default ~/.netrc",
              null,
              false,
              "NETRC"),
          key(
              "max_retries",
              "Retries of a failed request (408, 429, 5xx, connection errors)",
              "5",
              false),
          key(
              "retry_backoff",
              "Seconds before the first retry; doubles each retry, at most 60",
              "2",
              false),
          key("upload_max_retries", "Retries of a failed artifact upload", "20", false),
          key("connect_timeout", "Seconds to wait for a connection", "10", false),
          key("graphql_timeout", "Seconds one GraphQL call may take", "30", false),
          key("filestream_timeout", "Seconds one file-stream request may take", "180", false),
          key(
              "request_interval",
              "Least seconds between file-stream requests (W&B allows 2 per second)",
              "0.5",
              false),
          key("heartbeat_seconds", "Seconds of silence before a heartbeat; 0: none", "30", false));

  enum Mode {
    ONLINE,
    OFFLINE
  }

  enum Console {
    AUTO,
    WRAP,
    OFF
  }

  final HttpUrl baseUrl;
  final @Nullable String apiKey;
  final @Nullable String entity;
  final @Nullable String project;
  final @Nullable String runId;
  final @Nullable String name;
  final List<String> tags;
  final @Nullable String group;
  final @Nullable String jobType;
  final @Nullable String notes;
  final Mode mode;
  final Path dir;
  final Console console;
  final RetryPolicy retry;
  final RetryPolicy uploadRetry;
  final Duration connectTimeout;
  final Duration graphqlTimeout;
  final Duration fileStreamTimeout;
  final Duration requestInterval;
  final Duration heartbeat;

  private WandbConfig(Map<String, String> c, Path home) {
    String url = text(c, "base_url");
    HttpUrl parsed = HttpUrl.parse(url == null ? DEFAULT_BASE_URL : url);
    if (parsed == null) {
      throw new ConfigurationException(
          "wandb.base_url '"
              + url
              + "' is not an http(s) URL; use for example "
              + DEFAULT_BASE_URL);
    }
    if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
      throw new ConfigurationException(
          "wandb.base_url must not carry credentials; set wandb.api_key (WANDB_API_KEY)");
    }
    this.baseUrl = parsed;
    this.entity = text(c, "entity");
    this.project = text(c, "project");
    if (project != null) {
      String problem = WandbNames.projectProblem(project);
      if (problem != null) {
        throw new ConfigurationException(
            "wandb.project '" + project + "' is not a W&B project name: " + problem);
      }
    }
    this.runId = text(c, "run_id");
    if (runId != null) {
      String problem = WandbNames.runIdProblem(runId);
      if (problem != null) {
        throw new ConfigurationException(
            "wandb.run_id '" + runId + "' is not a W&B run id: " + problem);
      }
    }
    this.name = text(c, "name");
    this.tags = splitTags(text(c, "tags"));
    this.group = text(c, "group");
    this.jobType = text(c, "job_type");
    this.notes = text(c, "notes");
    this.mode = mode(text(c, "mode"));
    String d = text(c, "dir");
    this.dir = Path.of(d == null ? "wandb" : d);
    this.console = console(text(c, "console"));
    int maxRetries = (int) number(c, "max_retries", 5, 0, 100);
    Duration backoff = seconds(number(c, "retry_backoff", 2, 0, 600));
    this.retry = policy(maxRetries, backoff);
    this.uploadRetry = policy((int) number(c, "upload_max_retries", 20, 0, 100), backoff);
    this.connectTimeout = seconds(number(c, "connect_timeout", 10, 0.001, 3_600));
    this.graphqlTimeout = seconds(number(c, "graphql_timeout", 30, 0.001, 86_400));
    this.fileStreamTimeout = seconds(number(c, "filestream_timeout", 180, 0.001, 86_400));
    this.requestInterval = seconds(number(c, "request_interval", 0.5, 0, 60));
    this.heartbeat = seconds(number(c, "heartbeat_seconds", 30, 0, 86_400));
    this.apiKey = mode == Mode.OFFLINE ? null : apiKey(c, home, parsed.host());
  }

  static WandbConfig from(Map<String, String> config) {
    return new WandbConfig(config, Path.of(System.getProperty("user.home", ".")));
  }

  static WandbConfig from(Map<String, String> config, Path home) {
    return new WandbConfig(config, home);
  }

  /** Settings for the client that talks to the API with the key. */
  HttpClientSettings apiHttpSettings(String threadName) {
    String key = apiKey;
    if (key == null) {
      throw new IllegalStateException("offline mode has no API client");
    }
    return HttpClientSettings.builder()
        .connectTimeout(connectTimeout)
        .readTimeout(fileStreamTimeout)
        .writeTimeout(fileStreamTimeout)
        .auth(HttpAuth.basic("api", key))
        .userAgent("tracelet-wandb")
        .threadName(threadName)
        .build();
  }

  /**
   * Settings for signed upload URLs: no credentials (the URL carries its own; the API key must
   * never reach a storage host) and no bound on a whole call, since files can be large.
   */
  HttpClientSettings uploadHttpSettings(String threadName) {
    return HttpClientSettings.builder()
        .connectTimeout(connectTimeout)
        .readTimeout(fileStreamTimeout)
        .writeTimeout(fileStreamTimeout)
        .auth(HttpAuth.none())
        .userAgent("tracelet-wandb")
        .threadName(threadName)
        .build();
  }

  @Override
  public String toString() {
    return "WandbConfig{baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey == null ? "none" : "****")
        + ", entity="
        + entity
        + ", project="
        + project
        + ", runId="
        + runId
        + ", mode="
        + mode
        + ", console="
        + console
        + ", retry="
        + retry
        + '}';
  }

  /** W&amp;B's retry schedule: {@code backoff × 2^n} up to 60 s, plus up to a quarter of it. */
  private static RetryPolicy policy(int maxRetries, Duration backoff) {
    return new RetryPolicy(
        maxRetries,
        backoff,
        Duration.ofSeconds(60),
        backoff.dividedBy(4),
        true,
        Duration.ofMinutes(5));
  }

  private static @Nullable String apiKey(Map<String, String> c, Path home, String host) {
    String key = text(c, "api_key");
    if (key != null) {
      return key;
    }
    String netrc = text(c, "netrc_file");
    Path file = netrc != null ? Path.of(netrc) : home.resolve(".netrc");
    try {
      Optional<String> fromNetrc = Netrc.password(file, host);
      if (fromNetrc.isPresent()) {
        return fromNetrc.get();
      }
    } catch (IOException e) {
      throw new ConfigurationException(
          "Cannot read the netrc file " + file + " for the W&B API key: " + e.getMessage(), e);
    }
    throw new ConfigurationException(
        "No W&B API key: set WANDB_API_KEY (or wandb.api_key), or add a 'machine "
            + host
            + "' entry with the key as password to "
            + file
            + " (what 'wandb login' writes); or set WANDB_MODE=offline to keep the run locally");
  }

  private static Mode mode(@Nullable String v) {
    if (v == null) {
      return Mode.ONLINE;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "online", "run" -> Mode.ONLINE;
      case "offline", "dryrun" -> Mode.OFFLINE;
      case "disabled" ->
          throw new ConfigurationException(
              "wandb.mode = 'disabled' is not supported; to send nothing to W&B, leave 'wandb' out"
                  + " of the 'backend' setting");
      default ->
          throw new ConfigurationException(
              "wandb.mode = '" + v + "' is not a mode; use online or offline");
    };
  }

  private static Console console(@Nullable String v) {
    if (v == null) {
      return Console.AUTO;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "auto" -> Console.AUTO;
      case "wrap", "on", "true" -> Console.WRAP;
      case "off", "false" -> Console.OFF;
      default ->
          throw new ConfigurationException(
              "wandb.console = '" + v + "' is not supported; use auto, wrap or off");
    };
  }

  private static List<String> splitTags(@Nullable String v) {
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    for (String t : v.split(",")) {
      String tag = t.strip();
      if (!tag.isEmpty() && !out.contains(tag)) {
        out.add(tag);
      }
    }
    return List.copyOf(out);
  }

  private static double number(
      Map<String, String> c, String key, double dflt, double min, double max) {
    return new ConfigValues("wandb", c).number(key, dflt, min, max);
  }

  private static Duration seconds(double s) {
    return ConfigValues.seconds(s);
  }

  private static @Nullable String text(Map<String, String> c, String key) {
    String s = c.get(key);
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
