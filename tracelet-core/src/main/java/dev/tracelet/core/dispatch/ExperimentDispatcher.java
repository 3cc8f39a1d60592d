package dev.tracelet.core.dispatch;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Routes one run's events to its backends: one {@link BackendChannel} each, so a slow or dead
 * backend never slows another or the caller.
 */
public final class ExperimentDispatcher {
  /**
   * What one queued event costs, counted generously: a metric event is a 40-byte object plus its
   * queue slot; the rest covers names that are not shared constants and the worker's batches.
   */
  static final int BYTES_PER_QUEUED_EVENT = 64;

  private static final long CLOSE_GRACE_NANOS =
      java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);

  private final BackendChannel[] channels;

  private ExperimentDispatcher(List<BackendChannel> channels) {
    this.channels = channels.toArray(BackendChannel[]::new);
  }

  /**
   * Describes one backend to attach.
   *
   * @param onTerminated run once when the backend's worker has ended (releases its lease)
   * @param offline for a backend kept offline ({@code mode=offline}): the run's manifest; the
   *     backend is never contacted, everything goes to its journal for {@code tracelet sync}
   */
  public record Target(
      String backend,
      ClassLoader loader,
      SessionOpener opener,
      Runnable onTerminated,
      @Nullable RunManifest offline) {

    /** A backend delivered to now. */
    public Target(String backend, ClassLoader loader, SessionOpener opener, Runnable onTerminated) {
      this(backend, loader, opener, onTerminated, null);
    }
  }

  /**
   * Creates the channels and starts their workers, which open the sessions.
   *
   * @param queueMemoryBytes the memory all the run's queues may hold together; each backend gets an
   *     equal share
   */
  public static ExperimentDispatcher start(
      String runId,
      List<Target> targets,
      @Nullable Path journalDir,
      long queueMemoryBytes,
      int batchSize,
      Duration linger) {
    int queueCapacity = queueCapacity(queueMemoryBytes, targets.size());
    List<BackendChannel> list = new ArrayList<>();
    for (Target t : targets) {
      list.add(
          new BackendChannel(
              t.backend(),
              runId,
              t.loader(),
              t.opener(),
              t.onTerminated(),
              t.offline(),
              journalDir,
              queueCapacity,
              batchSize,
              linger));
    }
    ExperimentDispatcher d = new ExperimentDispatcher(list);
    for (BackendChannel c : d.channels) {
      c.start();
    }
    return d;
  }

  /**
   * Events each backend's queue holds: its share of the memory, rounded down to a power of two (the
   * queue's own rounding would otherwise overshoot the bound by up to twice).
   */
  public static int queueCapacity(long queueMemoryBytes, int backends) {
    long events = queueMemoryBytes / Math.max(1, backends) / BYTES_PER_QUEUED_EVENT;
    long capped = Math.max(1024, Math.min(events, 1 << 30));
    return Integer.highestOneBit((int) capped);
  }

  /** Offers an event to every backend without blocking. */
  public void dispatch(Object event) {
    for (BackendChannel c : channels) {
      c.offer(event);
    }
  }

  public List<String> backends() {
    List<String> names = new ArrayList<>(channels.length);
    for (BackendChannel c : channels) {
      names.add(c.backend());
    }
    return names;
  }

  /**
   * Queues a call on the sessions of the given backends, behind what is already queued; returns one
   * future per backend.
   */
  public <T> Map<String, CompletableFuture<T>> submit(
      List<String> backends, Function<BackendSession, T> call, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, CompletableFuture<T>> out = new LinkedHashMap<>();
    for (BackendChannel c : channels) {
      if (backends.contains(c.backend())) {
        out.put(c.backend(), c.submit(SessionTask.of(call), deadline));
      }
    }
    return out;
  }

  /**
   * Queues an artifact upload on the given backends, behind what is already queued. A backend that
   * is down or offline keeps the artifact, with a copy of its files, in its journal; its result
   * then has version {@code pending}.
   */
  public <T> Map<String, CompletableFuture<T>> submitArtifact(
      List<String> backends,
      TraceletArtifact artifact,
      Function<BackendSession, T> upload,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, CompletableFuture<T>> out = new LinkedHashMap<>();
    for (BackendChannel c : channels) {
      if (backends.contains(c.backend())) {
        out.put(c.backend(), c.submit(SessionTask.artifact(artifact, upload), deadline));
      }
    }
    return out;
  }

  /**
   * Each backend's capabilities, as its session reported them when it opened (the defaults for a
   * backend kept offline or not reached yet).
   */
  public Map<String, CompletableFuture<BackendCapabilities>> capabilities(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, CompletableFuture<BackendCapabilities>> out = new LinkedHashMap<>();
    for (BackendChannel c : channels) {
      out.put(c.backend(), c.submit(SessionTask.capabilities(), deadline));
    }
    return out;
  }

  /** Waits until everything dispatched so far is settled, or the timeout passes. */
  public DeliveryReport flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BackendChannel c : channels) {
      c.flush(deadline);
    }
    return report();
  }

  /** Drains every backend within the timeout, ends its run with {@code status}, and reports. */
  public DeliveryReport close(RunStatus status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BackendChannel c : channels) {
      c.beginClose(status, deadline);
    }
    // A worker notices the deadline within a few milliseconds and then journals what it abandoned;
    // the grace lets the report say "journaled" rather than "pending" for those events.
    long graced = deadline + CLOSE_GRACE_NANOS;
    for (BackendChannel c : channels) {
      c.awaitClosed(graced);
    }
    return report();
  }

  public DeliveryReport report() {
    List<BackendDelivery> list = new ArrayList<>(channels.length);
    for (BackendChannel c : channels) {
      list.add(c.report());
    }
    return new DeliveryReport(list);
  }
}
