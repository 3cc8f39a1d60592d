package dev.tracelet.core.dispatch;

import java.util.List;
import java.util.stream.Collectors;

/** Per-backend delivery figures of one experiment, as returned by flush and close. */
public record DeliveryReport(List<BackendDelivery> backends) {
  public DeliveryReport {
    backends = List.copyOf(backends);
  }

  /** Whether every event accepted so far reached every backend. */
  public boolean complete() {
    return undelivered() == 0;
  }

  public long undelivered() {
    return backends.stream().mapToLong(BackendDelivery::undelivered).sum();
  }

  @Override
  public String toString() {
    return backends.stream().map(BackendDelivery::toString).collect(Collectors.joining("; "));
  }
}
