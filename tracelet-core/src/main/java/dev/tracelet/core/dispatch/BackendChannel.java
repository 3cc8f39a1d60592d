package dev.tracelet.core.dispatch;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.core.plugin.Failures;
import dev.tracelet.core.plugin.PluginCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
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
 * <p>The worker never calls the backend itself: each call (open, log, upload, close) runs on the
 * channel's own plugin-call thread while the worker watches the queue. If the queue passes half its
 * capacity while a call is slow or hung, the worker moves the backlog to the journal, so a slow
 * backend costs disk, not memory, and the queue (sized from {@code queue_memory}) rarely fills.
 * Calls are made one at a time, in order, so a session is never called concurrently. The session is
 * opened before anything is delivered, and events keep queueing meanwhile.
 *
 * <p>When a backend stays down (a batch fails all its retries, or the session cannot be opened), a
 * circuit breaker opens: the worker stops calling the backend and appends batches to the run's
 * {@link EventJournal} on local disk instead, so the queue keeps draining and memory stays bounded.
 * After a cooldown (1 s, doubling to 1 min) it replays the journal's oldest batch; once that
 * succeeds it replays the rest in order, and only then delivers live events again. What is still
 * journaled when the run ends stays on disk and is replayed by a process that resumes the run.
 */
final class BackendChannel {
  private static final Logger log = LoggerFactory.getLogger(BackendChannel.class);

  private static final int MAX_DELIVERY_ATTEMPTS = 5;
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long FIRST_COOLDOWN_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_COOLDOWN_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** How often the worker looks at the queue while a plugin call is under way. */
  private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final String backend;
  private final String runId;
  private final @Nullable Path journalDir;
  private final @Nullable RunManifest offline;
  private final Runnable onTerminated;
  // Cleared when the worker ends, so a finished run never pins an unloaded plugin's loader.
  private volatile @Nullable ClassLoader loader;
  private volatile @Nullable SessionOpener opener;
  private final MpscArrayQueue<Object> queue;
  private final int highWater;
  private final int lowWater;
  private final ExecutorService pluginCalls;
  private final int configuredBatch;
  private final long lingerNanos;
  private final Thread worker;

  private final LongAdder dropped = new LongAdder();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** Queue elements whose fate is settled (delivered, failed, journaled, or a finished task). */
  private final AtomicLong settled = new AtomicLong();

  private final AtomicLong journaled = new AtomicLong();

  private final Object progress = new Object();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  /** The queue size at which {@link #offer} wakes the idle worker (a full batch); 0 while busy. */
  private volatile int wakeAt;

  private volatile boolean flushRequested;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos = Long.MAX_VALUE;
  private volatile RunStatus closeStatus = RunStatus.FINISHED;
  private int signalThreshold;
  private volatile @Nullable String lastError;
  private volatile @Nullable BackendSession session;

  // Worker-only state.
  private @Nullable EventJournal journal;
  private long circuitRetryAt;
  private long cooldownNanos = FIRST_COOLDOWN_NANOS;
  private boolean circuitOpen;
  private boolean journalDirty;
  private boolean overflowReported;
  private @Nullable BackendCapabilities capabilities;
  // The batch the drain loop is filling (events taken from the queue, not yet delivered).
  private @Nullable Batcher inHand;
  // Tasks taken off the queue while a call was under way, run next (reads need the session).
  private final ArrayDeque<SessionTask<?>> heldTasks = new ArrayDeque<>();

  BackendChannel(
      String backend,
      String runId,
      ClassLoader loader,
      SessionOpener opener,
      Runnable onTerminated,
      @Nullable RunManifest offline,
      @Nullable Path journalDir,
      int capacity,
      int batchSize,
      Duration linger) {
    this.backend = backend;
    this.runId = runId;
    this.loader = loader;
    this.opener = opener;
    this.onTerminated = onTerminated;
    this.offline = offline;
    this.journalDir = journalDir;
    this.queue = new MpscArrayQueue<>(Math.max(capacity, 2));
    this.highWater = Math.max(1, queue.capacity() / 2);
    this.lowWater = queue.capacity() / 8;
    this.configuredBatch = batchSize;
    this.signalThreshold = batchSize;
    this.lingerNanos = linger.toNanos();
    String shortId = runId.length() > 8 ? runId.substring(0, 8) : runId;
    this.worker = new Thread(this::run, "tracelet-" + backend + "-" + shortId);
    this.worker.setDaemon(true);
    this.pluginCalls =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tracelet-" + backend + "-" + shortId + "-call");
              t.setDaemon(true);
              return t;
            });
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
    int wake = wakeAt;
    if (wake != 0 && queue.size() >= wake) {
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

  /**
   * Waits until everything queued before this call is delivered or durably journaled, or the
   * deadline passes.
   */
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
        backend,
        accepted,
        delivered.get(),
        dropped.sum(),
        failed.get(),
        pending,
        journaled.get(),
        lastError);
  }

  // ---- worker side ----

  private ClassLoader loader() {
    ClassLoader l = loader;
    return l == null ? BackendChannel.class.getClassLoader() : l;
  }

  /** The close deadline passed while the backend was still answering a call. */
  private static final class Abandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super(
          "shutdown_timeout passed while the backend was still answering a call",
          null,
          false,
          false);
    }
  }

  private void run() {
    boolean abandoned = false;
    try {
      journal = openJournal();
      if (offline != null) {
        keepOffline(offline);
        return;
      }
      BackendSession s = openSession();
      if (s == null) {
        spillEverything();
        return;
      }
      session = s;
      BackendCapabilities caps = callPlugin(s::capabilities);
      capabilities = caps;
      int batchLimit = Math.max(1, Math.min(configuredBatch, caps.maxBatchEvents()));
      signalThreshold = batchLimit;
      drainLoop(s, batchLimit);
      replayBeforeClosing(s);
      closeSession(s);
    } catch (Abandoned a) {
      abandoned = true;
      lastError = a.getMessage();
      log.warn("Backend '{}': {}; what is left stays in the journal", backend, lastError);
      spillEverything();
    } catch (Throwable t) {
      lastError = Failures.describe(t);
      log.error("Tracelet worker for backend '{}' stopped: {}", backend, lastError, t);
      spillEverything();
    } finally {
      closeJournal();
      if (abandoned) {
        pluginCalls.shutdownNow();
      } else {
        pluginCalls.shutdown();
      }
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

  /**
   * Runs one call on the plugin-call thread, with the plugin's class loader as context loader, and
   * waits for it while keeping the queue below its high-water mark.
   *
   * @throws Abandoned if the run is closing and its deadline passed before the call returned
   */
  private <T> T callPlugin(Supplier<T> call) {
    ClassLoader l = loader();
    Thread waiter = Thread.currentThread();
    CompletableFuture<T> result = new CompletableFuture<>();
    Future<?> running =
        pluginCalls.submit(
            () -> {
              try {
                result.complete(PluginCalls.withLoader(l, call));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              } finally {
                // A plugin that leaves the interrupt flag set (some clients set it on a timeout)
                // must not fail every call after this one.
                Thread.interrupted();
                LockSupport.unpark(waiter);
              }
            });
    while (!result.isDone()) {
      // Not woken by offers (that would cost every offer a read of the consumer's index while a
      // call runs): a 2 ms look leaves half a queue of headroom for over 100 million offers/s.
      LockSupport.parkNanos(this, WATCH_NANOS);
      relieveQueue();
      if (!result.isDone() && closing && System.nanoTime() - closeDeadlineNanos > 0) {
        running.cancel(true);
        throw new Abandoned();
      }
    }
    try {
      return result.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private void runOnPlugin(Runnable call) {
    callPlugin(
        () -> {
          call.run();
          return null;
        });
  }

  /**
   * While a call is under way: if the queue has passed its high-water mark, moves the oldest events
   * to the journal until it is down to its low-water mark. Everything delivered later comes from
   * the journal first, so order is kept.
   */
  private void relieveQueue() {
    if (journal == null || queue.size() < highWater) {
      return;
    }
    long before = journaled.get();
    // Events the worker took from the queue before this call go first, or the backlog moved now
    // would overtake them (a replay runs while a partial batch waits for its linger time).
    Batcher held = inHand;
    if (held != null) {
      spillBatch(held);
    }
    moveQueueToJournal(lowWater, true);
    if (!overflowReported) {
      overflowReported = true;
      log.warn(
          "Backend '{}' is slower than the training loop: its queue passed {} events, so the"
              + " backlog ({} events so far) goes to the journal on disk and is delivered from"
              + " there, in order",
          backend,
          highWater,
          journaled.get() - before);
    }
  }

  private @Nullable EventJournal openJournal() {
    Path dir = journalDir;
    if (dir == null) {
      return null;
    }
    try {
      EventJournal j = EventJournal.open(dir, runId, backend);
      if (j.hasPending()) {
        journaled.set(j.pendingEvents());
        log.info(
            "Backend '{}': {} events journaled by an earlier process for run {} will be replayed",
            backend,
            j.pendingEvents(),
            runId);
      }
      return j;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Backend '{}': cannot use the journal in {} ({}); events that cannot be delivered will"
              + " be dropped",
          backend,
          dir,
          e.toString());
      return null;
    }
  }

  /**
   * Offline mode: the backend is never contacted; everything queued goes to the journal until the
   * run ends (artifacts with a copy of their files), and the run's manifest is written beside it
   * for {@code tracelet sync}.
   */
  private void keepOffline(RunManifest manifest) {
    while (!closing) {
      wakeAt = signalThreshold;
      if (queue.isEmpty() && !flushRequested) {
        LockSupport.parkNanos(this, lingerNanos);
      }
      wakeAt = 0;
      spillQueue();
      flushRequested = false;
    }
    spillQueue();
    Path dir = journalDir;
    if (dir != null) {
      try {
        new RunManifest(
                manifest.runId(),
                manifest.backend(),
                manifest.name(),
                manifest.project(),
                manifest.tags(),
                closeStatus)
            .write(dir);
        log.info(
            "Backend '{}' is offline: {} events of run {} kept for 'tracelet sync {}'",
            backend,
            journaled.get(),
            runId,
            runId);
      } catch (IOException e) {
        lastError = "cannot write the offline run's manifest: " + e;
        log.warn("Backend '{}': {}", backend, lastError);
      }
    }
  }

  private @Nullable BackendSession openSession() {
    long backoff = FIRST_BACKOFF_NANOS * 5;
    int attempt = 0;
    while (true) {
      try {
        SessionOpener o = Objects.requireNonNull(opener);
        return callPlugin(o::open);
      } catch (Abandoned a) {
        return null;
      } catch (RuntimeException | LinkageError e) {
        attempt++;
        lastError = Failures.describe(e);
        log.warn(
            "Backend '{}' could not open the run (attempt {}): {}; events are kept{}",
            backend,
            attempt,
            lastError,
            journal == null ? " queued" : " in the journal");
      }
      // While the backend is unreachable, move what is queued to disk so the queue never fills.
      spillQueue();
      if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
        return null;
      }
      if (!waitBeforeReopening(backoff)) {
        return null;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  /**
   * Waits before the next attempt to open the session; a flush (or the end of the run) meanwhile
   * journals what is queued at once, so it returns without waiting for that attempt.
   */
  private boolean waitBeforeReopening(long nanos) {
    return sleepUnlessClosingPastDeadline(
        nanos,
        () -> {
          if (flushRequested || closing || queue.size() >= highWater) {
            spillQueue();
            flushRequested = false;
          }
        });
  }

  private void drainLoop(BackendSession s, int batchLimit) {
    Batcher batch = new Batcher(batchLimit);
    inHand = batch;
    long firstPendingAt = 0;
    long reportedDrops = 0;
    while (true) {
      if (closing && System.nanoTime() - closeDeadlineNanos > 0) {
        abandon(batch);
        return;
      }
      int pending = batch.size();
      SessionTask<?> held = heldTasks.poll();
      if (held != null) {
        deliver(s, batch);
        runTask(s, held);
        continue;
      }
      Object e = pending < batchLimit ? queue.relaxedPoll() : null;
      if (e != null) {
        if (pending == 0) {
          firstPendingAt = System.nanoTime();
        }
        if (e instanceof SessionTask<?> task) {
          deliver(s, batch);
          runTask(s, task);
        } else {
          batch.add(e);
        }
        continue;
      }
      boolean queueEmpty = queue.isEmpty();
      boolean lingered = pending > 0 && System.nanoTime() - firstPendingAt >= lingerNanos;
      if (pending >= batchLimit
          || lingered
          || (pending > 0 && queueEmpty && (flushRequested || closing))) {
        deliver(s, batch);
        continue;
      }
      if (replayOne(s)) {
        continue;
      }
      if (queueEmpty && pending == 0) {
        forceJournal();
        flushRequested = false;
        long drops = dropped.sum();
        if (drops != reportedDrops) {
          log.warn(
              "Backend '{}': {} events dropped so far because its queue was full{}",
              backend,
              drops,
              journal == null
                  ? " and journal_dir is off (turn the journal on, or raise queue_memory)"
                  : " (the journal could not keep up; raise queue_memory)");
          reportedDrops = drops;
        }
        if (closing) {
          return;
        }
      }
      long wait = pending > 0 ? lingerNanos - (System.nanoTime() - firstPendingAt) : lingerNanos;
      if (journalPending() && circuitOpen) {
        wait = Math.min(wait, circuitRetryAt - System.nanoTime());
      }
      wakeAt = signalThreshold;
      if (queue.isEmpty() && !closing && !flushRequested) {
        LockSupport.parkNanos(this, Math.max(wait, 1000));
      }
      wakeAt = 0;
    }
  }

  /** Collects queued events into one batch, preserving order within each kind. */
  private static final class Batcher {
    final List<MetricEvent> metrics;
    final List<ParamEvent> params = new ArrayList<>();
    final List<TagEvent> tags = new ArrayList<>();

    Batcher(int limit) {
      metrics = new ArrayList<>(Math.min(limit, 16_384));
    }

    void add(Object e) {
      if (e instanceof MetricEvent m) {
        metrics.add(m);
      } else if (e instanceof ParamEvent p) {
        params.add(p);
      } else if (e instanceof TagEvent t) {
        tags.add(t);
      }
    }

    int size() {
      return metrics.size() + params.size() + tags.size();
    }

    EventBatch take() {
      EventBatch b = new EventBatch(metrics, params, tags);
      metrics.clear();
      params.clear();
      tags.clear();
      return b;
    }
  }

  private void deliver(BackendSession s, Batcher pending) {
    int size = pending.size();
    if (size == 0) {
      return;
    }
    EventBatch batch = pending.take();
    if (journalPending() || (circuitOpen && journal != null)) {
      // Order is kept: while anything waits in the journal, new batches queue up behind it.
      spill(batch);
    } else {
      sendWithRetries(s, batch);
    }
    settled.addAndGet(size);
    signalProgress();
  }

  private void sendWithRetries(BackendSession s, EventBatch batch) {
    int size = batch.size();
    long backoff = FIRST_BACKOFF_NANOS;
    for (int attempt = 1; ; attempt++) {
      try {
        runOnPlugin(() -> s.log(batch));
        delivered.addAndGet(size);
        closeCircuit();
        return;
      } catch (Abandoned a) {
        // Its fate is unknown: keep it, so a resume delivers it at least once.
        spill(batch);
        throw a;
      } catch (RuntimeException | LinkageError | AssertionError e) {
        lastError = Failures.describe(e);
        // IllegalArgumentException: the backend cannot take this batch at all; retrying won't help.
        if (e instanceof IllegalArgumentException) {
          deliverAroundRefused(s, batch);
          return;
        }
        if (attempt >= MAX_DELIVERY_ATTEMPTS || !sleepUnlessClosingPastDeadline(backoff)) {
          if (journal != null) {
            log.warn(
                "Backend '{}' failed {} times ({}); journaling its events until it recovers",
                backend,
                attempt,
                lastError);
            openCircuit();
            spill(batch);
          } else {
            log.warn(
                "Backend '{}' refused a batch of {} events {} times; giving up on it: {}",
                backend,
                size,
                attempt,
                lastError);
            failed.addAndGet(size);
          }
          return;
        }
        log.debug("Backend '{}' failed attempt {}: {}; retrying", backend, attempt, lastError);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
      }
    }
  }

  /**
   * The backend refused a batch as unstorable: halves it until the refused events are alone, so the
   * good events that shared a batch with them still arrive. A refused single event is counted as
   * failed; a half that fails otherwise goes through the normal retries and journal.
   */
  private void deliverAroundRefused(BackendSession s, EventBatch refused) {
    if (refused.size() == 1) {
      log.warn("Backend '{}' refused an event: {}", backend, lastError);
      failed.incrementAndGet();
      return;
    }
    log.debug("Backend '{}' refused a batch of {}; splitting it", backend, refused.size());
    for (EventBatch half : halves(refused)) {
      if (half.size() > 0) {
        sendWithRetries(s, half);
      }
    }
  }

  private static List<EventBatch> halves(EventBatch b) {
    int n = b.size();
    int first = n / 2;
    int m = Math.min(first, b.metrics().size());
    int p = Math.min(first - m, b.params().size());
    int t = first - m - p;
    return List.of(
        new EventBatch(b.metrics().subList(0, m), b.params().subList(0, p), b.tags().subList(0, t)),
        new EventBatch(
            b.metrics().subList(m, b.metrics().size()),
            b.params().subList(p, b.params().size()),
            b.tags().subList(t, b.tags().size())));
  }

  /** Replays the journal's oldest entry if the circuit allows; true if one was delivered. */
  private boolean replayOne(BackendSession s) {
    EventJournal j = journal;
    if (j == null || !j.hasPending()) {
      return false;
    }
    if (circuitOpen && System.nanoTime() - circuitRetryAt < 0) {
      return false;
    }
    EventJournal.Entry entry;
    try {
      entry = j.peek();
    } catch (IOException e) {
      lastError = "journal unreadable: " + e;
      log.warn("Backend '{}': {}", backend, lastError);
      return false;
    }
    if (entry == null) {
      journaled.set(0);
      return false;
    }
    try {
      if (entry instanceof EventJournal.Events events) {
        runOnPlugin(() -> s.log(events.batch()));
      } else if (entry instanceof EventJournal.Artifact artifact) {
        callPlugin(() -> s.logArtifact(artifact.artifact()));
      }
      delivered.addAndGet(entry.size());
    } catch (Abandoned a) {
      throw a; // still journaled; the cursor did not move
    } catch (IllegalArgumentException e) {
      lastError = Failures.describe(e);
      if (entry instanceof EventJournal.Events events && events.size() > 1) {
        // The good events of the entry still go, around the refused ones (or back to the journal).
        deliverAroundRefused(s, events.batch());
      } else {
        log.warn("Backend '{}' refused a journaled entry: {}", backend, lastError);
        failed.addAndGet(entry.size());
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      lastError = Failures.describe(e);
      openCircuit();
      return false;
    }
    try {
      j.commit();
    } catch (IOException e) {
      log.warn("Backend '{}': cannot advance the journal cursor: {}", backend, e.toString());
    }
    journaled.set(j.pendingEvents());
    if (circuitOpen) {
      log.info("Backend '{}' is back; replaying {} journaled events", backend, j.pendingEvents());
    }
    closeCircuit();
    signalProgress();
    return true;
  }

  /**
   * At the end of the run: replays what is journaled while the backend takes it. A backend that is
   * still down gets one probe when its cooldown ends (within the deadline), so a dead backend
   * delays the end of a run by at most one cooldown; its events stay journaled for a resume.
   */
  private void replayBeforeClosing(BackendSession s) {
    boolean probed = false;
    while (journalPending() && System.nanoTime() - closeDeadlineNanos < 0) {
      if (replayOne(s)) {
        continue;
      }
      if (probed && circuitOpen) {
        break;
      }
      // Park until the cooldown ends; a pending unpark (from beginClose) may wake it early.
      long until = circuitRetryAt - closeDeadlineNanos < 0 ? circuitRetryAt : closeDeadlineNanos;
      for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
        LockSupport.parkNanos(this, left);
      }
      probed = true;
    }
    EventJournal j = journal;
    if (j != null && j.hasPending()) {
      log.warn(
          "Backend '{}': {} events of run {} stay journaled in {}; they are replayed when the run"
              + " is resumed (TRACELET_RUN_ID={})",
          backend,
          j.pendingEvents(),
          runId,
          j.file(),
          runId);
    }
  }

  private boolean journalPending() {
    EventJournal j = journal;
    return j != null && j.hasPending();
  }

  /**
   * Appends a batch to the journal. While more events are queued the write is left to the operating
   * system (it survives the process dying); the journal is forced to the device when the worker
   * catches up, on flush and on close.
   */
  private void spill(EventBatch batch) {
    EventJournal j = journal;
    if (j == null) {
      failed.addAndGet(batch.size());
      return;
    }
    try {
      boolean force = flushRequested || closing || queue.isEmpty();
      j.append(batch, force);
      journalDirty = !force;
      journaled.set(j.pendingEvents());
    } catch (IOException | RuntimeException e) {
      lastError = "journal write failed: " + e;
      log.warn("Backend '{}': {}; {} events lost", backend, lastError, batch.size());
      failed.addAndGet(batch.size());
    }
  }

  private void forceJournal() {
    EventJournal j = journal;
    if (j != null && journalDirty) {
      try {
        j.force();
        journalDirty = false;
      } catch (IOException e) {
        log.warn("Backend '{}': cannot force the journal to disk: {}", backend, e.toString());
      }
    }
  }

  /** Moves everything queued into the journal (the session is not usable now). */
  private void spillQueue() {
    moveQueueToJournal(0, false);
  }

  /**
   * Moves queued events to the journal, oldest first, until at most {@code keep} remain. An
   * artifact upload is journaled with its files; a capabilities query is answered from what the
   * session said (or the defaults before it opened). Other calls wait for the session when it is
   * usable ({@code sessionUsable}), and fail otherwise.
   */
  private void moveQueueToJournal(int keep, boolean sessionUsable) {
    if (journal == null) {
      return;
    }
    Batcher batch = new Batcher(configuredBatch);
    while (queue.size() > keep) {
      Object e = queue.relaxedPoll();
      if (e == null) {
        break;
      }
      if (e instanceof SessionTask<?> task) {
        spillBatch(batch);
        if (task.artifact != null || task.capabilitiesQuery || !sessionUsable) {
          settleWithoutSession(task);
        } else {
          heldTasks.add(task);
        }
        continue;
      }
      batch.add(e);
      if (batch.size() >= configuredBatch) {
        spillBatch(batch);
      }
    }
    spillBatch(batch);
    forceJournal();
    signalProgress();
  }

  private void spillBatch(Batcher batch) {
    int n = batch.size();
    if (n > 0) {
      spill(batch.take());
      settled.addAndGet(n);
    }
  }

  /** Settles a task without calling the backend: see {@link #moveQueueToJournal}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void settleWithoutSession(SessionTask task) {
    if (task.capabilitiesQuery) {
      BackendCapabilities c = capabilities;
      task.result.complete(c == null ? BackendCapabilities.defaults() : c);
    } else if (task.artifact != null && journal != null) {
      journalArtifact(task);
    } else {
      task.result.completeExceptionally(
          new IllegalStateException(backend + " is unreachable: " + lastError));
    }
    settled.incrementAndGet();
  }

  /** Keeps an artifact (and a copy of its files) in the journal; its result says so. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void journalArtifact(SessionTask task) {
    EventJournal j = Objects.requireNonNull(journal);
    try {
      j.appendArtifact(Objects.requireNonNull(task.artifact));
      journaled.set(j.pendingEvents());
      task.result.complete(
          new ArtifactResult(
              backend,
              "journal:" + runId + "/" + task.artifact.name(),
              "pending",
              Map.of("journaled", true)));
      log.info(
          "Backend '{}': artifact '{}' kept in the journal until the backend takes it",
          backend,
          task.artifact.name());
    } catch (IOException | RuntimeException e) {
      lastError = "cannot journal artifact '" + task.artifact.name() + "': " + e;
      log.warn("Backend '{}': {}", backend, lastError);
      task.result.completeExceptionally(new IllegalStateException(lastError, e));
    }
  }

  private void openCircuit() {
    if (!circuitOpen) {
      circuitOpen = true;
      cooldownNanos = FIRST_COOLDOWN_NANOS;
    } else {
      cooldownNanos = Math.min(cooldownNanos * 2, MAX_COOLDOWN_NANOS);
    }
    circuitRetryAt = System.nanoTime() + cooldownNanos;
  }

  private void closeCircuit() {
    circuitOpen = false;
    cooldownNanos = FIRST_COOLDOWN_NANOS;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void runTask(BackendSession s, SessionTask task) {
    boolean backlog = journalPending() || (circuitOpen && journal != null);
    if (task.capabilitiesQuery || (task.artifact != null && backlog)) {
      // Capabilities were read when the session opened; an artifact queues behind the journal.
      settleWithoutSession(task);
      signalProgress();
      return;
    }
    try {
      Object r = callPlugin(() -> task.call.apply(s));
      task.result.complete(r);
    } catch (Abandoned a) {
      if (task.artifact != null && journal != null) {
        journalArtifact(task);
      } else {
        task.result.completeExceptionally(a);
      }
      settled.incrementAndGet();
      throw a;
    } catch (IllegalArgumentException e) {
      lastError = Failures.describe(e);
      task.result.completeExceptionally(e);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      lastError = Failures.describe(e);
      if (task.artifact != null && journal != null) {
        // The backend failed (not refused) the upload: keep it and retry with the journal.
        log.warn(
            "Backend '{}' failed to take artifact '{}': {}; journaling it until it recovers",
            backend,
            task.artifact.name(),
            lastError);
        openCircuit();
        journalArtifact(task);
      } else {
        task.result.completeExceptionally(e);
      }
    }
    settled.incrementAndGet();
    signalProgress();
  }

  private void closeSession(BackendSession s) {
    try {
      runOnPlugin(() -> s.close(closeStatus));
    } catch (Abandoned a) {
      throw a;
    } catch (RuntimeException | LinkageError e) {
      lastError = Failures.describe(e);
      log.warn("Backend '{}' failed to end the run: {}", backend, lastError);
    }
  }

  private void closeJournal() {
    EventJournal j = journal;
    if (j != null) {
      forceJournal();
      try {
        j.close();
      } catch (IOException e) {
        log.debug("closing journal: {}", e.toString());
      }
    }
  }

  /** The close deadline passed: what is still queued goes to the journal, or counts as failed. */
  private void abandon(Batcher batch) {
    spillBatch(batch);
    spillEverything();
    lastError = "shutdown_timeout passed before delivery finished";
    log.warn("Backend '{}': {}", backend, lastError);
  }

  /** Journals (or fails) everything still queued; refuses anything offered afterwards. */
  private void spillEverything() {
    closing = true;
    SessionTask<?> held;
    while ((held = heldTasks.poll()) != null) {
      held.result.completeExceptionally(
          new IllegalStateException(backend + " is unavailable: " + lastError));
      settled.incrementAndGet();
    }
    if (journal != null) {
      spillQueue();
      return;
    }
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
      failed.addAndGet(n);
      settled.addAndGet(n);
      log.warn("Backend '{}': {} events not delivered: {}", backend, n, lastError);
    }
  }

  /**
   * Sleeps about {@code nanos} with jitter, keeping the queue below its high-water mark; false when
   * closing and past the close deadline.
   */
  private boolean sleepUnlessClosingPastDeadline(long nanos) {
    return sleepUnlessClosingPastDeadline(nanos, this::relieveQueue);
  }

  /** As {@link #sleepUnlessClosingPastDeadline(long)}, running {@code meanwhile} every 2 ms. */
  private boolean sleepUnlessClosingPastDeadline(long nanos, Runnable meanwhile) {
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
      meanwhile.run();
      LockSupport.parkNanos(this, Math.min(left, WATCH_NANOS));
    }
  }

  private void signalProgress() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }
}
