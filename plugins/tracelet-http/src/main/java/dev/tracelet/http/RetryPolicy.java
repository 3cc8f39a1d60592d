package dev.tracelet.http;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When and how long to wait before retrying a request: exponential backoff ({@code initialBackoff *
 * 2^(retry-1)}, capped at {@code maxBackoff}) plus a uniformly random jitter in {@code [0,
 * jitter]}, or the server's {@code Retry-After} when it gives one and {@code respectRetryAfter} is
 * set. A {@code Retry-After} longer than {@code maxRetryAfter} ends the retries at once: the caller
 * gets the answer and can come back later instead of blocking that long.
 *
 * @param maxRetries retries after the first attempt (0: no retries)
 */
public record RetryPolicy(
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration jitter,
    boolean respectRetryAfter,
    Duration maxRetryAfter) {
  public RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
    }
    for (Duration d : new Duration[] {initialBackoff, maxBackoff, jitter, maxRetryAfter}) {
      Objects.requireNonNull(d, "durations");
      if (d.isNegative()) {
        throw new IllegalArgumentException("retry durations must not be negative, was " + d);
      }
    }
  }

  /** 5 retries from 1 s doubling to at most 30 s, 1 s jitter, Retry-After honoured up to 5 min. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        5,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1),
        true,
        Duration.ofMinutes(5));
  }

  /** No retries at all. */
  public static RetryPolicy none() {
    return new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, false, Duration.ZERO);
  }

  public RetryPolicy withMaxRetries(int n) {
    return new RetryPolicy(n, initialBackoff, maxBackoff, jitter, respectRetryAfter, maxRetryAfter);
  }

  /** The backoff before retry number {@code retry} (1-based), without jitter or Retry-After. */
  public Duration backoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry is 1-based, was " + retry);
    }
    long base = initialBackoff.toMillis();
    int shift = Math.min(retry - 1, 30);
    long millis = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  /**
   * The wait before retry number {@code retry}, given a random number in {@code [0, 1)} for the
   * jitter and the server's Retry-After (null when absent).
   */
  public Duration delay(int retry, double random, @Nullable Duration retryAfter) {
    if (respectRetryAfter && retryAfter != null) {
      return retryAfter;
    }
    long jitterMillis = (long) (jitter.toMillis() * random);
    return backoff(retry).plusMillis(jitterMillis);
  }
}
