package dev.tracelet.core.dispatch;

import dev.tracelet.api.plugin.BackendSession;

/** Opens a backend's session for a run; called on the backend's worker, never the caller's. */
@FunctionalInterface
public interface SessionOpener {
  BackendSession open();
}
