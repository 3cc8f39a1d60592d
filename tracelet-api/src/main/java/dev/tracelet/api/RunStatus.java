package dev.tracelet.api;

/** How a run (an {@link Experiment}) ended, or that it is still going. */
public enum RunStatus {
  /** Started and not yet ended. */
  RUNNING,
  /** Ended normally: {@link Experiment#stop()} or {@code close()} after the work completed. */
  FINISHED,
  /**
   * Ended by {@link Experiment#fail(Throwable)}, or by a block given to {@code Tracelet.run} that
   * threw.
   */
  FAILED,
  /** Ended by the JVM shutting down while the run was still open, or found open after a crash. */
  KILLED;

  /** Whether this status ends a run. */
  public boolean isTerminal() {
    return this != RUNNING;
  }
}
