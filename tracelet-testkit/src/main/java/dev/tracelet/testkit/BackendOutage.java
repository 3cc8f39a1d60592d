package dev.tracelet.testkit;

/**
 * Takes the backend under test down and brings it back, for the compatibility kit's {@code Retries}
 * checks: a backend test returns one from {@link BackendCompatibilityKit#outage()}.
 *
 * <p>An outage is what the host retries through: the server answers 503 or not at all, the network
 * share is gone. For an HTTP backend against a mock server, {@link #begin()} installs a stub that
 * answers every request with 503 and {@link #end()} removes it; for a file backend, {@link
 * #begin()} puts something unwritable where its folder was and {@link #end()} puts the folder back.
 * Whatever the backend stored before the outage must still be there after it.
 *
 * <p>The kit calls {@link #begin()} and {@link #end()} in pairs from the test thread, and calls
 * {@link #end()} after a check that failed half way, so an outage never leaks into the next check.
 */
public interface BackendOutage {
  /** From now on every call the backend makes to its store fails, as while it is unreachable. */
  void begin() throws Exception;

  /** The store is reachable again, with what it held before {@link #begin()}. */
  void end() throws Exception;
}
