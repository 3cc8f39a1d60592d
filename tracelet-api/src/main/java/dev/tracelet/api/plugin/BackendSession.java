package dev.tracelet.api.plugin;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.store.RunStore;
import java.util.List;
import java.util.Optional;

/**
 * A backend's connection to one run.
 *
 * <p><b>Threads.</b> The host calls a session from one dispatcher worker at a time — never
 * concurrently, never on the training thread — so a session needs no locking of its own. It may
 * block (network I/O, retries); the host bounds how long it waits. A session never starts unbounded
 * threads.
 *
 * <p><b>Failures.</b> A method that cannot do its work throws (preferably {@link
 * dev.tracelet.api.BackendException}); the host retries {@link #log} with backoff and keeps the
 * events, so a session must not swallow failures it wants retried. {@link #log} must be safe to
 * call again with the same batch after it threw. An {@link IllegalArgumentException} means the
 * batch itself is unacceptable (a value the backend cannot store): the host does not retry it, and
 * reports its events as failed.
 *
 * <p><b>Ending.</b> The host calls {@link #close(RunStatus)} once; a second call must do nothing.
 */
public interface BackendSession extends AutoCloseable {
  BackendCapabilities capabilities();

  /** Delivers metrics, parameters and tags. Returns once the backend has accepted them. */
  void log(EventBatch batch);

  /** Stores an artifact whose objects were already written to files by the host. */
  ArtifactResult logArtifact(TraceletArtifact artifact);

  /** An artifact this run logged, if the backend can read it back. */
  default Optional<TraceletArtifact> getArtifact(String name, String version) {
    return Optional.empty();
  }

  /** Artifacts this run logged, if the backend can list them. */
  default List<TraceletArtifact> listArtifacts(
      @org.jspecify.annotations.Nullable ArtifactType type) {
    return List.of();
  }

  /** The backend's read side, if it has one. */
  Optional<RunStore> store();

  /** Ends the run with {@code status} and releases every resource (threads, connections). */
  void close(RunStatus status);

  /** Same as {@code close(RunStatus.FINISHED)}. */
  @Override
  default void close() {
    close(RunStatus.FINISHED);
  }
}
