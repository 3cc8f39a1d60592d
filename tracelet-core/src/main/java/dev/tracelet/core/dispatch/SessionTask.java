package dev.tracelet.core.dispatch;

import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendSession;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A call to make on a backend session from its worker, in order with the events queued before it
 * (an artifact upload sees every metric logged before it). The future completes with the result or
 * the failure.
 *
 * <p>Two kinds of task need not reach the backend at once: an artifact upload can be journaled
 * (with a copy of its files) while the backend is down or offline, and a capabilities query is
 * answered from what the session said when it opened.
 */
final class SessionTask<T> {
  final Function<BackendSession, T> call;
  final CompletableFuture<T> result = new CompletableFuture<>();

  /** For an artifact upload: the artifact, whose files the journal may copy. */
  final @Nullable TraceletArtifact artifact;

  final boolean capabilitiesQuery;

  private SessionTask(
      Function<BackendSession, T> call,
      @Nullable TraceletArtifact artifact,
      boolean capabilitiesQuery) {
    this.call = call;
    this.artifact = artifact;
    this.capabilitiesQuery = capabilitiesQuery;
  }

  static <T> SessionTask<T> of(Function<BackendSession, T> call) {
    return new SessionTask<>(call, null, false);
  }

  static <T> SessionTask<T> artifact(
      TraceletArtifact artifact, Function<BackendSession, T> upload) {
    return new SessionTask<>(upload, artifact, false);
  }

  static SessionTask<BackendCapabilities> capabilities() {
    return new SessionTask<>(BackendSession::capabilities, null, true);
  }
}
