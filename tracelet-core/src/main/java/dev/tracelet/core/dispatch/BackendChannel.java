package dev.tracelet.core.dispatch;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.core.plugin.Failures;
import dev.tracelet.core.plugin.PluginCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend's side of one run: a bounded lock-free queue that training threads offer events to,
 * and one worker thread that opens the session, batches events by size and by linger time, and
 * delivers them with retries.
 *
 * <p>The caller's side ({@link #offer}) is a single non-blocking queue insertion plus a volatile
 * read: no lock, no I/O, no allocation beyond the event, whatever the backend does. When the queue
 * is full the event is counted as dropped and reported at flush and close.
 *
 * <p>The worker is the only thread that touches the session, so a session is never called
 * concurrently. It opens the session before delivering anything and keeps queueing meanwhile, so
 * nothing logged during a slow start is lost.
 */
final class BackendChannel {
  private static final Logger log = LoggerFactory.getLogger(BackendChannel.class);

  private static final int MAX_DELIVERY_ATTEMPTS = 5;
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String backend;
  private final Runnable onTerminated;
  // Cleared when the worker ends, so a finished run never pins an unloaded plugin's loader.
  private volatile @Nullable ClassLoader loader;
  private volatile @Nullable SessionOpener opener;
  private final MpscArrayQueue<Object> queue;
  private final int configuredBatch;
  private final long lingerNanos;
  private final Thread worker;

  private final LongAdder dropped = new LongAdder();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** Queue elements whose fate is settled (delivered, failed, or a finished task). */
  private final AtomicLong settled = new AtomicLong();

  private final Object progress = new Object();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private volatile boolean waiting;
  private volatile boolean flushRequested;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos = Long.MAX_VALUE;
  private volatile RunStatus closeStatus = RunStatus.FINISHED;
  private volatile int signalThreshold;
  private volatile @Nullable String lastError;
  private volatile @Nullable BackendSession session;

  BackendChannel(
      String backend,
      String runId,
      ClassLoader loader,
      SessionOpener opener,
      Runnable onTerminated,
      int capacity,
      int batchSize,
      Duration linger) {
    this.backend = backend;
    this.loader = loader;
    this.opener = opener;
    this.onTerminated = onTerminated;
    this.queue = new MpscArrayQueue<>(Math.max(capacity, 2));
    this.configuredBatch = batchSize;
    this.signalThreshold = batchSize;
    this.lingerNanos = linger.toNanos();
    String shortId = runId.length() > 8 ? runId.substring(0, 8) : runId;
    this.worker = new Thread(this::run, "tracelet-" + backend + "-" + shortId);
    this.worker.setDaemon(true);
  }

  String backend() {
    return backend;
  }

  void start() {
    worker.start();
  }

  /**
   * Queues an event without blocking; returns false (and counts a drop) when the queue is full or
   * the channel is closing.
   */
  boolean offer(Object event) {
    if (closing || !queue.offer(event)) {
      dropped.increment();
      return false;
    }
    if (waiting && queue.size() >= signalThreshold) {
      LockSupport.unpark(worker);
    }
    return true;
  }

  /**
   * Queues a call on the session behind everything queued so far, waiting for room up to {@code
   * deadlineNanos} (a task is never dropped silently: its future fails instead).
   */
  <T> CompletableFuture<T> submit(SessionTask<T> task, long deadlineNanos) {
    while (!closing && !queue.offer(task)) {
      if (System.nanoTime() - deadlineNanos > 0) {
        task.result.completeExceptionally(
            new IllegalStateException(backend + ": queue stayed full; the call was not queued"));
        return task.result;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    if (closing) {
      task.result.completeExceptionally(new IllegalStateException(backend + " is closing"));
      return task.result;
    }
    LockSupport.unpark(worker);
    return task.result;
  }

  /** Waits until everything queued before this call is settled, or the deadline passes. */
  boolean flush(long deadlineNanos) {
    long target = queue.currentProducerIndex();
    flushRequested = true;
    LockSupport.unpark(worker);
    return awaitSettled(target, deadlineNanos);
  }

  private boolean awaitSettled(long target, long deadlineNanos) {
    synchronized (progress) {
      while (settled.get() < target && !terminated.isDone()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(
              progress, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return settled.get() >= target;
  }

  /** Starts closing: nothing more is accepted, the worker drains, then ends the session. */
  void beginClose(RunStatus status, long deadlineNanos) {
    if (!closing) {
      closeStatus = status;
      closeDeadlineNanos = deadlineNanos;
      closing = true;
    }
    LockSupport.unpark(worker);
  }

  /** Waits for the worker to finish, up to the deadline. */
  boolean awaitClosed(long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    try {
      terminated.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  BackendDelivery report() {
    long accepted = queue.currentProducerIndex();
    long pending = Math.max(0, accepted - settled.get());
    return new BackendDelivery(
        backend, accepted, delivered.get(), dropped.sum(), failed.get(), pending, lastError);
  }

  // ---- worker side ----

  private ClassLoader loader() {
    ClassLoader l = loader;
    return l == null ? BackendChannel.class.getClassLoader() : l;
  }

  private void run() {
    try {
      BackendSession s = openSession();
      if (s == null) {
        failEverything();
        return;
      }
      session = s;
      BackendCapabilities caps = PluginCalls.withLoader(loader(), s::capabilities);
      int batchLimit = Math.max(1, Math.min(configuredBatch, caps.maxBatchEvents()));
      signalThreshold = batchLimit;
      drainLoop(s, batchLimit);
      closeSession(s);
    } catch (Throwable t) {
      lastError = Failures.describe(t);
      log.error("Tracelet worker for backend '{}' stopped: {}", backend, lastError, t);
      failEverything();
    } finally {
      session = null;
      opener = null;
      loader = null;
      try {
        onTerminated.run();
      } finally {
        terminated.complete(null);
        signalProgress();
      }
    }
  }

  private @Nullable BackendSession openSession() {
    long backoff = FIRST_BACKOFF_NANOS * 5;
    int attempt = 0;
    while (true) {
      try {
        SessionOpener o = java.util.Objects.requireNonNull(opener);
        return PluginCalls.withLoader(loader(), o::open);
      } catch (RuntimeException | LinkageError e) {
        attempt++;
        lastError = Failures.describe(e);
        log.warn(
            "Backend '{}' could not open the run (attempt {}): {}; events are kept queued",
            backend,
            attempt,
            lastError);
      }
      if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
        return null;
      }
      if (!sleepUnlessClosingPastDeadline(backoff)) {
        return null;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  private void drainLoop(BackendSession s, int batchLimit) {
    List<MetricEvent> metrics = new ArrayList<>(batchLimit);
    List<ParamEvent> params = new ArrayList<>();
    List<TagEvent> tags = new ArrayList<>();
    long firstPendingAt = 0;
    long reportedDrops = 0;
    while (true) {
      if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
        abandon(metrics.size() + params.size() + tags.size());
        return;
      }
      int pending = metrics.size() + params.size() + tags.size();
      Object e = pending < batchLimit ? queue.relaxedPoll() : null;
      if (e != null) {
        if (pending == 0) {
          firstPendingAt = System.nanoTime();
        }
        if (e instanceof MetricEvent m) {
          metrics.add(m);
        } else if (e instanceof ParamEvent p) {
          params.add(p);
        } else if (e instanceof TagEvent t) {
          tags.add(t);
        } else if (e instanceof SessionTask<?> task) {
          deliver(s, metrics, params, tags);
          runTask(s, task);
        }
        continue;
      }
      boolean queueEmpty = queue.isEmpty();
      boolean lingered = pending > 0 && System.nanoTime() - firstPendingAt >= lingerNanos;
      if (pending >= batchLimit
          || lingered
          || (pending > 0 && queueEmpty && (flushRequested || closing))) {
        deliver(s, metrics, params, tags);
        continue;
      }
      if (queueEmpty && pending == 0) {
        flushRequested = false;
        long drops = dropped.sum();
        if (drops != reportedDrops) {
          log.warn(
              "Backend '{}': {} events dropped so far because its queue was full"
                  + " (raise queue_capacity, or the backend is too slow)",
              backend,
              drops);
          reportedDrops = drops;
        }
        if (closing) {
          return;
        }
      }
      long wait = pending > 0 ? lingerNanos - (System.nanoTime() - firstPendingAt) : lingerNanos;
      waiting = true;
      if (queue.isEmpty() && !closing && !flushRequested) {
        LockSupport.parkNanos(this, Math.max(wait, 1000));
      }
      waiting = false;
    }
  }

  private void deliver(
      BackendSession s, List<MetricEvent> metrics, List<ParamEvent> params, List<TagEvent> tags) {
    int size = metrics.size() + params.size() + tags.size();
    if (size == 0) {
      return;
    }
    EventBatch batch = new EventBatch(metrics, params, tags);
    metrics.clear();
    params.clear();
    tags.clear();
    long backoff = FIRST_BACKOFF_NANOS;
    for (int attempt = 1; ; attempt++) {
      try {
        PluginCalls.runWithLoader(loader(), () -> s.log(batch));
        delivered.addAndGet(size);
        break;
      } catch (RuntimeException | LinkageError | AssertionError e) {
        lastError = Failures.describe(e);
        // IllegalArgumentException: the backend cannot take this batch at all; retrying won't help.
        boolean permanent = e instanceof IllegalArgumentException;
        if (permanent
            || attempt >= MAX_DELIVERY_ATTEMPTS
            || !sleepUnlessClosingPastDeadline(backoff)) {
          log.warn(
              "Backend '{}' refused a batch of {} events {} times; giving up on it: {}",
              backend,
              size,
              attempt,
              lastError);
          failed.addAndGet(size);
          break;
        }
        log.debug("Backend '{}' failed attempt {}: {}; retrying", backend, attempt, lastError);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
      }
    }
    settled.addAndGet(size);
    signalProgress();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void runTask(BackendSession s, SessionTask task) {
    try {
      Object r = PluginCalls.withLoader(loader(), () -> task.call.apply(s));
      task.result.complete(r);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      lastError = Failures.describe(e);
      task.result.completeExceptionally(e);
    }
    settled.incrementAndGet();
    signalProgress();
  }

  private void closeSession(BackendSession s) {
    try {
      PluginCalls.runWithLoader(loader(), () -> s.close(closeStatus));
    } catch (RuntimeException | LinkageError e) {
      lastError = Failures.describe(e);
      log.warn("Backend '{}' failed to end the run: {}", backend, lastError);
    }
  }

  /** The close deadline passed: what is pending or queued is given up, and counted as failed. */
  private void abandon(int pendingInBatch) {
    long n = pendingInBatch;
    Object e;
    while ((e = queue.poll()) != null) {
      if (e instanceof SessionTask<?> task) {
        task.result.completeExceptionally(
            new IllegalStateException(backend + ": shutdown deadline passed"));
      }
      n++;
    }
    if (n > 0) {
      failed.addAndGet(n);
      settled.addAndGet(n);
      lastError = "shutdown_timeout passed with " + n + " events not delivered";
      log.warn("Backend '{}': {}", backend, lastError);
    }
  }

  /** Settles everything still queued as failed: the session never opened or the worker died. */
  private void failEverything() {
    Object e;
    long n = 0;
    while ((e = queue.poll()) != null) {
      if (e instanceof SessionTask<?> task) {
        task.result.completeExceptionally(
            new IllegalStateException(backend + " is unavailable: " + lastError));
      }
      n++;
    }
    if (n > 0) {
      long events = n;
      failed.addAndGet(events);
      settled.addAndGet(events);
      log.warn("Backend '{}': {} events not delivered: {}", backend, events, lastError);
    }
    // Anything offered after this point is refused by `closing`.
    closing = true;
    Object late;
    while ((late = queue.poll()) != null) {
      failed.incrementAndGet();
      settled.incrementAndGet();
      if (late instanceof SessionTask<?> task) {
        task.result.completeExceptionally(new IllegalStateException(backend + " is unavailable"));
      }
    }
  }

  /** Sleeps about {@code nanos} with jitter; false when closing and past the close deadline. */
  private boolean sleepUnlessClosingPastDeadline(long nanos) {
    long jittered = nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    long until = System.nanoTime() + jittered;
    while (true) {
      long now = System.nanoTime();
      if (closing && now - closeDeadlineNanos > 0) {
        return false;
      }
      long left = until - now;
      if (left <= 0) {
        return true;
      }
      LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  private void signalProgress() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }
}
