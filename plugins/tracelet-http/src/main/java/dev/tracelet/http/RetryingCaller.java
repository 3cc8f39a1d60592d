package dev.tracelet.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Executes requests synchronously on the calling thread, retrying what may succeed later.
 *
 * <p>Retried: answers 408, 429 and 5xx except 501 and 505 (which never heal), and I/O failures
 * (refused or reset connections, timeouts), as {@link RetryPolicy} allows. Never retried: any other
 * status (so no 4xx but 408 and 429), TLS certificate failures, and a call on an interrupted
 * thread. Request bodies must be re-playable (not one-shot) since a retry sends them again.
 *
 * <p>Log lines and exceptions name the method and the {@linkplain SafeUrls redacted} URL, never a
 * header, so credentials stay out of them. Thread-safe.
 */
public final class RetryingCaller {
  private final OkHttpClient client;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Clock clock;
  private final System.Logger logger;

  public RetryingCaller(
      OkHttpClient client,
      RetryPolicy policy,
      Sleeper sleeper,
      DoubleSupplier random,
      Clock clock,
      System.Logger logger) {
    this.client = Objects.requireNonNull(client, "client");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  /** Real sleeps, real jitter, the system clock. */
  public static RetryingCaller create(
      ManagedHttpClient client, RetryPolicy policy, System.Logger logger) {
    return new RetryingCaller(
        client.okHttp(),
        policy,
        Sleeper.SYSTEM,
        () -> ThreadLocalRandom.current().nextDouble(),
        Clock.systemUTC(),
        logger);
  }

  public RetryPolicy policy() {
    return policy;
  }

  /** Whether an answer with this status is worth another try. */
  public static boolean isRetryableStatus(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  /** Whether this failure could go away by itself. */
  public static boolean isRetryableFailure(IOException e) {
    // A certificate the client does not trust stays untrusted; retrying only delays the message.
    return !(e instanceof SSLPeerUnverifiedException)
        && !(e instanceof SSLHandshakeException)
        && !(e instanceof InterruptedIOException && Thread.currentThread().isInterrupted());
  }

  /**
   * Sends {@code request} until it gets a non-retryable answer or the retries run out, and returns
   * the last response (the caller closes it; its status may be an error).
   *
   * @throws IOException the last I/O failure, when every attempt failed without an answer; an
   *     {@link InterruptedIOException} when the thread was interrupted while waiting
   */
  public Response execute(Request request) throws IOException {
    String what = request.method() + " " + SafeUrls.redact(request.url());
    for (int retry = 0; ; retry++) {
      Response response;
      try {
        response = client.newCall(request).execute();
      } catch (IOException e) {
        if (retry >= policy.maxRetries() || !isRetryableFailure(e)) {
          throw e;
        }
        waitBeforeRetry(what, retry + 1, null, "failed (" + e + ")");
        continue;
      }
      if (retry >= policy.maxRetries() || !isRetryableStatus(response.code())) {
        return response;
      }
      Duration retryAfter =
          RetryAfter.parse(response.header("Retry-After"), clock.instant()).orElse(null);
      if (policy.respectRetryAfter()
          && retryAfter != null
          && retryAfter.compareTo(policy.maxRetryAfter()) > 0) {
        logger.log(
            Level.INFO,
            "{0} answered {1} with Retry-After {2}, longer than the {3} allowed; not retrying now",
            what,
            response.code(),
            retryAfter,
            policy.maxRetryAfter());
        return response;
      }
      response.close();
      waitBeforeRetry(what, retry + 1, retryAfter, "answered " + response.code());
    }
  }

  private void waitBeforeRetry(
      String what, int retry, @Nullable Duration retryAfter, String outcome)
      throws InterruptedIOException {
    Duration delay = policy.delay(retry, random.getAsDouble(), retryAfter);
    logger.log(
        Level.INFO,
        "{0} {1}; retry {2} of {3} in {4} ms",
        what,
        outcome,
        retry,
        policy.maxRetries(),
        delay.toMillis());
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io =
          new InterruptedIOException("interrupted while waiting to retry " + what);
      io.initCause(e);
      throw io;
    }
  }
}
