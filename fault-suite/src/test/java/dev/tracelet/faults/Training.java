package dev.tracelet.faults;

import dev.tracelet.api.Experiment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A training loop on a thread of its own, logging through the public API only: parameters and tags,
 * then {@link #METRICS} at every step of the first half, then — once {@code between} lets it — the
 * second half. A test holds the server's answers back until {@link #awaitDone} returns, so the loop
 * can only finish if logging never waits for the network.
 */
final class Training {
  static final List<String> METRICS = List.of("train/loss", "train/accuracy", "lr");
  static final int PARAMS = 20;
  static final int TAGS = 5;

  /** What the loop waits for between its two halves (a test's latch, never the network). */
  interface Pause {
    void await() throws Exception;
  }

  private final Experiment experiment;
  private final int steps;
  private final Pause between;
  private final AtomicLong points = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;
  private volatile @Nullable Throwable failure;

  Training(Experiment experiment, int steps, Pause between) {
    this.experiment = experiment;
    this.steps = steps;
    this.between = between;
    this.thread = new Thread(this::run, "training");
    thread.setDaemon(true);
  }

  /** The value every backend must hold for metric number {@code metric} at {@code step}. */
  static double value(int metric, long step) {
    return metric * 10_000_000.0 + step + 0.25;
  }

  static Map<String, String> params() {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i < PARAMS; i++) {
      p.put(String.format("param_%02d", i), String.format("value-%02d", i));
    }
    return p;
  }

  static Map<String, String> tags() {
    Map<String, String> t = new LinkedHashMap<>();
    for (int i = 0; i < TAGS; i++) {
      t.put("tag_" + i, "t" + i);
    }
    return t;
  }

  /** Events the loop logs in all: points, parameters and tags. */
  long events() {
    return (long) steps * METRICS.size() + PARAMS + TAGS;
  }

  int steps() {
    return steps;
  }

  /** Points logged so far. */
  long points() {
    return points.get();
  }

  Training start() {
    thread.start();
    return this;
  }

  /** Whether the loop logged everything within {@code timeout}; rethrows what it failed with. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    boolean finished = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Throwable f = failure;
    if (f != null) {
      throw new AssertionError("the training thread failed", f);
    }
    return finished;
  }

  private void run() {
    try {
      experiment.logParams(params());
      tags().forEach(experiment::setTag);
      logSteps(0, steps / 2);
      between.await();
      logSteps(steps / 2, steps);
    } catch (Throwable t) {
      failure = t;
    } finally {
      done.countDown();
    }
  }

  private void logSteps(long from, long to) {
    for (long step = from; step < to; step++) {
      Map<String, Double> values = new LinkedHashMap<>();
      for (int m = 0; m < METRICS.size(); m++) {
        values.put(METRICS.get(m), value(m, step));
      }
      experiment.logMetrics(values, step);
      points.addAndGet(values.size());
    }
  }
}
