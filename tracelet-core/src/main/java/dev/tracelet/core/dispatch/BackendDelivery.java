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
 * @param journaled events kept in the run's journal on disk, replayed when the backend recovers or
 *     the run is resumed
 * @param lastError the last failure the backend reported, or null
 */
public record BackendDelivery(
    String backend,
    long accepted,
    long delivered,
    long dropped,
    long failed,
    long pending,
    long journaled,
    @Nullable String lastError) {

  /** Events logged to this backend that did not reach it (yet), journaled ones included. */
  public long undelivered() {
    return dropped + failed + pending + journaled;
  }

  /** Events that are lost: dropped on a full queue, or refused for good. */
  public long lost() {
    return dropped + failed;
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder(backend).append(": ").append(delivered).append(" delivered");
    if (dropped > 0) {
      b.append(", ")
          .append(dropped)
          .append(" dropped (queue full; keep journal_dir on, or raise queue_memory)");
    }
    if (failed > 0) {
      b.append(", ").append(failed).append(" failed");
    }
    if (pending > 0) {
      b.append(", ").append(pending).append(" still pending");
    }
    if (journaled > 0) {
      b.append(", ").append(journaled).append(" journaled on disk for replay");
    }
    if (lastError != null) {
      // Once everything arrived, an old error is history, not a problem to act on.
      b.append(undelivered() == 0 ? " (recovered from: " : " (last error: ")
          .append(lastError)
          .append(')');
    }
    return b.toString();
  }
}
