package dev.tracelet.plugin.clearml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link PingTimer.Factory} whose checks run only when a test calls {@link #tick()}. */
final class ManualPingTimers implements PingTimer.Factory {
  private final List<Runnable> checks = new ArrayList<>();
  private final List<Duration> intervals = new ArrayList<>();
  private int closed;

  @Override
  public synchronized PingTimer start(Duration interval, Runnable check, String threadName) {
    checks.add(check);
    intervals.add(interval);
    return () -> {
      synchronized (this) {
        closed++;
      }
    };
  }

  /** Runs every started timer's check once, as its schedule would. */
  void tick() {
    List<Runnable> now;
    synchronized (this) {
      now = List.copyOf(checks);
    }
    now.forEach(Runnable::run);
  }

  synchronized List<Duration> intervals() {
    return List.copyOf(intervals);
  }

  synchronized int closed() {
    return closed;
  }
}
