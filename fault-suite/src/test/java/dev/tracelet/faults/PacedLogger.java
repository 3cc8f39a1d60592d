package dev.tracelet.faults;

import dev.tracelet.api.Experiment;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A training loop that logs one metric at steps {@code 0 .. total-1} through the public API, at a
 * pace the test sets (points per second), stopping at the steps a test asked it to hold at until
 * the test lets it go on. It never looks at the network or at delivery.
 */
final class PacedLogger {
  private final Experiment experiment;
  private final String metric;
  private final long total;
  private final Map<Long, CountDownLatch> holds = new ConcurrentHashMap<>();
  private final AtomicLong logged = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;
  private final int pointsPerSecond;
  private volatile @Nullable Throwable failure;

  PacedLogger(Experiment experiment, String metric, long total, int pointsPerSecond) {
    this.experiment = experiment;
    this.metric = metric;
    this.total = total;
    this.pointsPerSecond = pointsPerSecond;
    this.thread = new Thread(this::run, "paced-training");
    thread.setDaemon(true);
  }

  /** The value logged at {@code step}: exact in binary, different at every step. */
  static double value(long step) {
    return step * 0.5 + 0.25;
  }

  /** Makes the loop stop before logging step {@code step} until the returned latch is released. */
  CountDownLatch holdAt(long step) {
    return holds.computeIfAbsent(step, s -> new CountDownLatch(1));
  }

  long logged() {
    return logged.get();
  }

  PacedLogger start() {
    thread.start();
    return this;
  }

  /** Waits until at least {@code count} points are logged; false on timeout. */
  boolean awaitLogged(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (logged.get() < count) {
      rethrow();
      if (System.nanoTime() - deadline > 0 || done.getCount() == 0) {
        return logged.get() >= count;
      }
      Thread.sleep(10);
    }
    return true;
  }

  boolean awaitDone(Duration timeout) throws InterruptedException {
    boolean finished = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    rethrow();
    return finished;
  }

  private void rethrow() {
    Throwable f = failure;
    if (f != null) {
      throw new AssertionError("the training thread failed", f);
    }
  }

  private void run() {
    try {
      long next = System.nanoTime();
      for (long step = 0; step < total; step++) {
        CountDownLatch hold = holds.get(step);
        if (hold != null) {
          hold.await();
          next = System.nanoTime();
        }
        experiment.logMetric(metric, value(step), step);
        logged.incrementAndGet();
        if ((step + 1) % 100 == 0) {
          next += 100 * 1_000_000_000L / pointsPerSecond;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          } else if (wait < -1_000_000_000L) {
            next = System.nanoTime(); // fell behind (a pause of the JVM): no burst to catch up
          }
        }
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      done.countDown();
    }
  }
}
