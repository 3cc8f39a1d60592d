package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.http.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AuthTokenTest {
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private final JsonCodec json = new JsonCodec();

  private static String jwt(Instant iat, Instant exp) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    String claims = "{\"iat\":" + iat.getEpochSecond() + ",\"exp\":" + exp.getEpochSecond() + "}";
    return b.encodeToString("{}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

  @Test
  void isRenewed360SecondsBeforeItExpires() {
    Instant exp = NOW.plus(Duration.ofDays(30));
    AuthToken t = AuthToken.of(jwt(NOW, exp), NOW, json);
    assertThat(t.needsRefresh(exp.minusSeconds(361))).isFalse();
    assertThat(t.needsRefresh(exp.minusSeconds(360))).isTrue();
  }

  @Test
  void aShortLivedTokenIsRenewedAtHalfItsLifetimeNotBeforeEveryCall() {
    AuthToken t = AuthToken.of(jwt(NOW, NOW.plusSeconds(300)), NOW, json);
    assertThat(t.needsRefresh(NOW.plusSeconds(149))).isFalse();
    assertThat(t.needsRefresh(NOW.plusSeconds(150))).isTrue();
  }

  @Test
  void anOpaqueTokenIsRenewedOnlyWhenRefused() {
    AuthToken t = AuthToken.of("not-a-jwt", NOW, json);
    assertThat(t.needsRefresh(NOW.plus(Duration.ofDays(3650)))).isFalse();
    assertThat(t.toString()).doesNotContain("not-a-jwt");
  }
}
