package dev.tracelet.core;

import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads a syncing experiment's delivery figures on a daemon thread and passes them to a {@link
 * SyncProgress}: the events are sent by the backend's own worker, so the thread that started the
 * sync is busy queueing or waiting for the end and cannot report. Closing it reports the final
 * figures once more.
 */
final class DeliveryWatch implements AutoCloseable {
  static final Duration PERIOD = Duration.ofMillis(200);

  private final DefaultExperiment experiment;
  private final SyncProgress progress;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private final long knownTotal;
  private long total;

  private DeliveryWatch(DefaultExperiment experiment, long knownTotal, SyncProgress progress) {
    this.experiment = experiment;
    this.knownTotal = knownTotal;
    this.progress = progress;
    this.thread = new Thread(this::run, "tracelet-sync-progress");
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching.
   *
   * @param knownTotal the events that will be sent, or 0 when only the backend knows (a journal)
   */
  static DeliveryWatch start(DefaultExperiment experiment, long knownTotal, SyncProgress progress) {
    DeliveryWatch w = new DeliveryWatch(experiment, knownTotal, progress);
    w.thread.start();
    return w;
  }

  private void run() {
    try {
      do {
        report(false);
      } while (!stop.await(PERIOD.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Journaled events count towards the total: a journal replay starts with everything journaled and
   * moves it to delivered batch by batch. The two counters are read one after the other while the
   * worker moves a batch, so a sample can be off by a batch: the total is taken once, when first
   * known, and from the settled final figures at the end.
   */
  private synchronized void report(boolean last) {
    DeliveryReport r = experiment.deliveryReport();
    long delivered = 0;
    long seen = 0;
    for (BackendDelivery d : r.backends()) {
      delivered += d.delivered();
      seen += d.delivered() + d.failed() + d.dropped() + d.pending() + d.journaled();
    }
    if (last || total == 0) {
      total = Math.max(knownTotal, seen);
    }
    total = Math.max(total, delivered);
    progress.update(delivered, total);
  }

  @Override
  public void close() {
    stop.countDown();
    try {
      thread.join(PERIOD.toMillis() * 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    report(true);
  }
}
