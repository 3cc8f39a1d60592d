package dev.tracelet.core.dispatch;

import org.jspecify.annotations.Nullable;

/**
 * What became of the events one backend was given, at the moment of asking.
 *
 * @param backend the backend's name
 * @param accepted events taken into its queue
 * @param delivered events the backend accepted
 * @param dropped events refused because the queue was full
 * @param failed events given up on after the retries ran out (or the backend never opened)
 * @param pending events still queued or being delivered
 * @param lastError the last failure the backend reported, or null
 */
public record BackendDelivery(
    String backend,
    long accepted,
    long delivered,
    long dropped,
    long failed,
    long pending,
    @Nullable String lastError) {

  /** Events logged to this backend that did not reach it (yet). */
  public long undelivered() {
    return dropped + failed + pending;
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder(backend).append(": ").append(delivered).append(" delivered");
    if (dropped > 0) {
      b.append(", ").append(dropped).append(" dropped (queue full; raise queue_capacity)");
    }
    if (failed > 0) {
      b.append(", ").append(failed).append(" failed");
    }
    if (pending > 0) {
      b.append(", ").append(pending).append(" still pending");
    }
    if (lastError != null) {
      b.append(" (last error: ").append(lastError).append(')');
    }
    return b.toString();
  }
}
