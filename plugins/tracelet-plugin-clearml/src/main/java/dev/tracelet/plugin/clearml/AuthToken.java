package dev.tracelet.plugin.clearml;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A ClearML session token (a JWT) and when it expires, read from its {@code exp} claim. Immutable;
 * {@link #toString()} never shows the token.
 *
 * <p>It is due for renewal when less than the SDK's 360 s remain ({@code
 * token_expiration_threshold_sec}), or less than half its lifetime for tokens shorter than 12
 * minutes, so a short-lived token is not renewed before every call. A token whose expiry cannot be
 * read is renewed only when the server refuses it.
 */
final class AuthToken {
  static final Duration REFRESH_THRESHOLD = Duration.ofSeconds(360);

  private final String value;
  private final @Nullable Instant refreshAt;

  private AuthToken(String value, @Nullable Instant refreshAt) {
    this.value = value;
    this.refreshAt = refreshAt;
  }

  /** A token received at {@code now}; its claims decide when to renew it. */
  static AuthToken of(String value, Instant now, JsonCodec json) {
    Objects.requireNonNull(value, "value");
    JsonNode claims = claims(value, json);
    if (claims == null || !claims.path("exp").isNumber()) {
      return new AuthToken(value, null);
    }
    Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong());
    Instant issued =
        claims.path("iat").isNumber() ? Instant.ofEpochSecond(claims.path("iat").asLong()) : now;
    Duration lifetime = Duration.between(issued, expires);
    Duration margin =
        lifetime.compareTo(REFRESH_THRESHOLD.multipliedBy(2)) < 0
            ? lifetime.dividedBy(2)
            : REFRESH_THRESHOLD;
    return new AuthToken(value, expires.minus(margin));
  }

  String value() {
    return value;
  }

  /** Whether to log in again before using it at {@code now}. */
  boolean needsRefresh(Instant now) {
    return refreshAt != null && !now.isBefore(refreshAt);
  }

  private static @Nullable JsonNode claims(String jwt, JsonCodec json) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return json.read(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IllegalArgumentException | IOException e) {
      // Not a JWT we can read: fall back to renewing on 401 only.
      return null;
    }
  }

  @Override
  public String toString() {
    return "AuthToken{****, refreshAt=" + refreshAt + '}';
  }
}
