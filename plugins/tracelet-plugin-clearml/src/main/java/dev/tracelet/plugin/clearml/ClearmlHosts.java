package dev.tracelet.plugin.clearml;

import dev.tracelet.api.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The three ClearML servers: API, web app and file server, as base URLs without a trailing slash.
 *
 * <p>When the web or files host is not given, it is derived from the API host the way the official
 * SDK does ({@code clearml/backend_api/session/session.py}): {@code api.} becomes {@code app.} or
 * {@code files.} in the host name, port 8008 becomes 8080 (web), and the files host takes port
 * 8081. One difference: where the SDK gives up on a web host it cannot derive (an API host on
 * another port and without {@code api.}), the web host stays unknown (it is only used for links in
 * log lines) and the files host is derived from the API host instead, by the same rules.
 */
record ClearmlHosts(String api, Optional<String> web, String files) {
  static final int DEFAULT_API_PORT = 8008;
  static final int DEFAULT_WEB_PORT = 8080;
  static final int DEFAULT_FILES_PORT = 8081;

  static ClearmlHosts of(String api, @Nullable String web, @Nullable String files) {
    String apiHost = requireHttpUrl(api, "api_host", "CLEARML_API_HOST");
    String webHost =
        blank(web)
            ? deriveWeb(apiHost).orElse(null)
            : requireHttpUrl(web, "web_host", "CLEARML_WEB_HOST");
    String filesHost =
        blank(files)
            ? deriveFiles(webHost != null ? webHost : apiHost)
            : requireHttpUrl(files, "files_host", "CLEARML_FILES_HOST");
    return new ClearmlHosts(apiHost, Optional.ofNullable(webHost), filesHost);
  }

  static Optional<String> deriveWeb(String api) {
    if (api.contains("://demoapi.")) {
      return Optional.of(api.replaceFirst("://demoapi\\.", "://demoapp."));
    }
    if (api.contains("://api.")) {
      return Optional.of(api.replaceFirst("://api\\.", "://app."));
    }
    URI uri = URI.create(api);
    if (uri.getPort() == DEFAULT_API_PORT) {
      return Optional.of(withPort(uri, DEFAULT_WEB_PORT));
    }
    return Optional.empty();
  }

  /** The files host from the web host (or, when that is unknown, from the API host). */
  static String deriveFiles(String base) {
    URI uri = URI.create(base);
    if (uri.getPort() != -1) {
      return withPort(uri, DEFAULT_FILES_PORT);
    }
    String host = uri.getHost();
    for (String prefix : new String[] {"demoapp.", "app.", "demoapi.", "api."}) {
      if (host.startsWith(prefix)) {
        String files = prefix.startsWith("demo") ? "demofiles." : "files.";
        return base.replaceFirst("://" + prefix.replace(".", "\\."), "://" + files);
      }
    }
    return withPort(uri, DEFAULT_FILES_PORT);
  }

  private static String withPort(URI uri, int port) {
    try {
      return strip(
          new URI(
                  uri.getScheme(),
                  uri.getUserInfo(),
                  uri.getHost(),
                  port,
                  uri.getPath(),
                  null,
                  null)
              .toString());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot change the port of " + uri, e);
    }
  }

  private static String requireHttpUrl(@Nullable String value, String key, String env) {
    if (blank(value)) {
      throw new ConfigurationException(
          "clearml."
              + key
              + " is not set; set it or "
              + env
              + " to the server's URL, such as http://localhost:8008 for a self-hosted API server"
              + " or https://api.clear.ml for the hosted service.");
    }
    String v = value.strip();
    URI uri;
    try {
      uri = new URI(v);
    } catch (URISyntaxException e) {
      throw invalidUrl(key, v);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw invalidUrl(key, v);
    }
    if (uri.getUserInfo() != null) {
      throw new ConfigurationException(
          "clearml."
              + key
              + " must not carry credentials in the URL; set clearml.access_key and"
              + " clearml.secret_key (CLEARML_API_ACCESS_KEY, CLEARML_API_SECRET_KEY) instead.");
    }
    return strip(v);
  }

  private static ConfigurationException invalidUrl(String key, String value) {
    return new ConfigurationException(
        "clearml."
            + key
            + " = '"
            + value
            + "' is not an http(s) URL; expected a base URL such as http://localhost:8008, without"
            + " query or fragment.");
  }

  private static String strip(String url) {
    String s = url;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }
}
