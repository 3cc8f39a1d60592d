package dev.tracelet.plugin.wandb;

import dev.tracelet.http.Sleeper;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one run's file-stream requests within W&amp;B's rate limit (2 requests per second per run):
 * a request starts no earlier than {@code interval} after the previous one <em>ended</em>.
 * Measuring from the end, not the start, means the server also sees them at least {@code interval}
 * apart, however long each took to arrive. When an answer says {@code RateLimit-Remaining: 0}, the
 * next request also waits out {@code RateLimit-Reset} (seconds, at most 60). Not thread-safe: the
 * session guards it.
 */
final class RequestPacer {
  private static final long MAX_RESET_NANOS = Duration.ofSeconds(60).toNanos();

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private long notBefore = Long.MIN_VALUE;
  private boolean started;
  private long lastEnd;

  RequestPacer(Duration interval, LongSupplier nanoTime, Sleeper sleeper) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  static RequestPacer system(Duration interval) {
    return new RequestPacer(interval, System::nanoTime, Sleeper.SYSTEM);
  }

  /** Waits until the next request may start. */
  void awaitTurn() throws InterruptedException {
    long wait = waitNanos();
    if (wait > 0) {
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }

  /** Nanoseconds {@link #awaitTurn()} would wait now; 0 when a request may start at once. */
  long waitNanos() {
    if (!started) {
      return 0;
    }
    long earliest = lastEnd + intervalNanos;
    if (notBefore != Long.MIN_VALUE && notBefore - earliest > 0) {
      earliest = notBefore;
    }
    return Math.max(0, earliest - nanoTime.getAsLong());
  }

  /**
   * A request just ended (answered or failed).
   *
   * @param remaining the {@code RateLimit-Remaining} header, or null
   * @param reset the {@code RateLimit-Reset} header (seconds), or null
   */
  void ended(@Nullable String remaining, @Nullable String reset) {
    long now = nanoTime.getAsLong();
    started = true;
    lastEnd = now;
    notBefore = Long.MIN_VALUE;
    if (remaining != null && reset != null && parse(remaining) == 0) {
      long resetSeconds = parse(reset);
      if (resetSeconds > 0) {
        notBefore = now + Math.min(Duration.ofSeconds(resetSeconds).toNanos(), MAX_RESET_NANOS);
      }
    }
  }

  private static long parse(String header) {
    try {
      return Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
