package dev.tracelet.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How requests authenticate: not at all, HTTP Basic, or a Bearer token. Immutable; {@link
 * #toString()} never shows a secret.
 */
public final class HttpAuth {
  private static final HttpAuth NONE = new HttpAuth("none", null);

  private final String kind;
  private final String headerValue;

  private HttpAuth(String kind, String headerValue) {
    this.kind = kind;
    this.headerValue = headerValue;
  }

  public static HttpAuth none() {
    return NONE;
  }

  /** HTTP Basic with {@code username:password}, encoded as UTF-8. */
  public static HttpAuth basic(String username, String password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    String token =
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new HttpAuth("basic", "Basic " + token);
  }

  /** {@code Authorization: Bearer <token>}. */
  public static HttpAuth bearer(String token) {
    Objects.requireNonNull(token, "token");
    return new HttpAuth("bearer", "Bearer " + token);
  }

  /** The {@code Authorization} header value, if any. */
  public Optional<String> authorizationHeader() {
    return Optional.ofNullable(headerValue);
  }

  /** {@code none}, {@code basic} or {@code bearer}. */
  public String kind() {
    return kind;
  }

  @Override
  public String toString() {
    return "HttpAuth{" + kind + (headerValue == null ? "" : ", credentials=****") + '}';
  }
}
