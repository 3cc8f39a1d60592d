package dev.tracelet.http;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * URLs as they may appear in logs and exceptions: no user info, and the values of query parameters
 * that look like credentials replaced by {@code ****}.
 */
public final class SafeUrls {
  private static final Set<String> SECRET_WORDS =
      Set.of(
          "token", "key", "secret", "password", "passwd", "signature", "sig", "credential", "auth");

  private SafeUrls() {}

  public static String redact(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().username("").password("");
    for (String name : url.queryParameterNames()) {
      if (looksSecret(name)) {
        b.setQueryParameter(name, "****");
      }
    }
    return b.build().toString();
  }

  /** A URL given as text; an unparseable one is reduced to its scheme and host or to a mark. */
  public static String redact(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    return parsed == null ? "<unparseable URL>" : redact(parsed);
  }

  static boolean looksSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String w : SECRET_WORDS) {
      if (n.contains(w)) {
        return true;
      }
    }
    return n.startsWith("x-amz-") || n.startsWith("x-goog-");
  }
}
