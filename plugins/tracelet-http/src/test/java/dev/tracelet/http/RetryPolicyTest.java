package dev.tracelet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(
          10,
          Duration.ofMillis(500),
          Duration.ofSeconds(5),
          Duration.ofMillis(200),
          true,
          Duration.ofMinutes(1));

  @Test
  void backoffDoublesUpToTheCap() {
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.backoff(2)).isEqualTo(Duration.ofMillis(1000));
    assertThat(policy.backoff(4)).isEqualTo(Duration.ofMillis(4000));
    assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.backoff(64)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void jitterIsAddedWithinItsBound() {
    assertThat(policy.delay(1, 0.0, null)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.delay(1, 0.5, null)).isEqualTo(Duration.ofMillis(600));
    assertThat(policy.delay(1, 0.999, null)).isLessThan(Duration.ofMillis(700));
  }

  @Test
  void retryAfterReplacesTheBackoffWhenRespected() {
    assertThat(policy.delay(3, 0.9, Duration.ofSeconds(42))).isEqualTo(Duration.ofSeconds(42));
    RetryPolicy ignoring =
        new RetryPolicy(
            3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO, false, Duration.ZERO);
    assertThat(ignoring.delay(1, 0.5, Duration.ofSeconds(42))).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void rejectsNegativeValues() {
    assertThatThrownBy(() -> policy.withMaxRetries(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRetries");
    assertThatThrownBy(() -> policy.backoff(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
