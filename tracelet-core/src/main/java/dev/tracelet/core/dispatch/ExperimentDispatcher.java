package dev.tracelet.core.dispatch;

import dev.tracelet.api.RunStatus;
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

  /** Creates the channels and starts their workers, which open the sessions. */
  public static ExperimentDispatcher start(
      String runId,
      List<Target> targets,
      @Nullable Path journalDir,
      int queueCapacity,
      int batchSize,
      Duration linger) {
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
        out.put(c.backend(), c.submit(new SessionTask<>(call), deadline));
      }
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
    for (BackendChannel c : channels) {
      c.awaitClosed(deadline);
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
