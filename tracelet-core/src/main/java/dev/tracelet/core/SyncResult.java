package dev.tracelet.core;

import dev.tracelet.core.dispatch.DeliveryReport;
import org.jspecify.annotations.Nullable;

/**
 * What {@link TraceletEngine#syncRun} did with one run and one backend.
 *
 * @param runId the run
 * @param backend the backend it was synced into
 * @param source where the run's events came from
 * @param outcome what happened
 * @param delivered events the backend took
 * @param total events there were to send
 * @param artifacts artifacts the backend took
 * @param report the delivery figures, when anything was sent
 * @param message one line for a person: what happened and, when nothing was sent, what to do
 */
public record SyncResult(
    String runId,
    String backend,
    Source source,
    Outcome outcome,
    long delivered,
    long total,
    int artifacts,
    @Nullable DeliveryReport report,
    String message) {

  /** Where a sync read the run from. */
  public enum Source {
    /** The journal an offline run left for the backend (it wins when there is one). */
    JOURNAL,
    /** The local store: runs logged without that backend, or whose journal is gone. */
    STORE
  }

  /** What became of one run. */
  public enum Outcome {
    /** Everything reached the backend. */
    SYNCED,
    /** Something did not reach the backend; a later sync tries again. */
    INCOMPLETE,
    /** An earlier sync delivered the run; nothing was sent. */
    ALREADY_SYNCED,
    /** The backend already has the run (logged there live); nothing was sent. */
    ALREADY_IN_BACKEND,
    /** The run is still being written by another process; nothing was sent. */
    RUNNING,
    /** No journal and no stored run with that id. */
    NOT_FOUND;

    /** Whether this outcome leaves the run where it should be: delivered, now or before. */
    public boolean ok() {
      return this == SYNCED || this == ALREADY_SYNCED || this == ALREADY_IN_BACKEND;
    }
  }

  static SyncResult nothingSent(
      String runId, String backend, Source source, Outcome outcome, String message) {
    return new SyncResult(runId, backend, source, outcome, 0, 0, 0, null, message);
  }
}
