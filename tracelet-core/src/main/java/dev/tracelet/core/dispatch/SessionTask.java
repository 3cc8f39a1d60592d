package dev.tracelet.core.dispatch;

import dev.tracelet.api.plugin.BackendSession;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A call to make on a backend session from its worker, in order with the events queued before it
 * (an artifact upload sees every metric logged before it). The future completes with the result or
 * the failure.
 */
final class SessionTask<T> {
  final Function<BackendSession, T> call;
  final CompletableFuture<T> result = new CompletableFuture<>();

  SessionTask(Function<BackendSession, T> call) {
    this.call = call;
  }
}
