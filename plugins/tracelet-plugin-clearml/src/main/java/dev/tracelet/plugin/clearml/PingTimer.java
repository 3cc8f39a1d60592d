package dev.tracelet.plugin.clearml;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a session's keep-alive check at a fixed delay, on one daemon thread that {@link #close()}
 * stops.
 *
 * <p>Why a thread of its own: ClearML's watchdog stops a running task after 7,200 s without an
 * update. Every event and edit the session sends counts as an update, so a check driven by {@code
 * log()} calls could only run when an update was being sent anyway; it is the quiet stretches (a
 * long evaluation, a stalled data loader, a program that logs once per epoch) that need a ping. The
 * thread is one per session, does nothing but an occasional {@code tasks.ping}, and ends with the
 * session, so it never outlives the plugin's class loader.
 */
interface PingTimer extends AutoCloseable {
  /** Stops the schedule; a check in progress may finish. Idempotent. */
  @Override
  void close();

  /** Starts one. */
  interface Factory {
    PingTimer start(Duration interval, Runnable check, String threadName);
  }

  /** Never runs anything: for a ping interval of 0. */
  PingTimer NONE = () -> {};

  /** The production factory: a single-thread scheduled executor with a daemon thread. */
  Factory SCHEDULED =
      (interval, check, threadName) -> {
        ScheduledThreadPoolExecutor executor =
            new ScheduledThreadPoolExecutor(
                1,
                r -> {
                  Thread t = new Thread(r, threadName);
                  t.setDaemon(true);
                  // The thread must not pin whatever loader the opening thread had as context.
                  t.setContextClassLoader(PingTimer.class.getClassLoader());
                  return t;
                });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long millis = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(check, millis, millis, TimeUnit.MILLISECONDS);
        return executor::shutdownNow;
      };
}
