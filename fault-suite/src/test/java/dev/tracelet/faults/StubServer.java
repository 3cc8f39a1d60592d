package dev.tracelet.faults;

import java.util.Map;

/** A strict stub of one HTTP backend, and how the backend's plugin is pointed at it. */
interface StubServer extends AutoCloseable {
  /** The backend's name, as the plugin registers it. */
  String backend();

  /** Where a proxy in front of the stub passes requests on to. */
  String url();

  /** Whether a request to this path carries metric points. */
  boolean isDataPath(String path);

  /**
   * The environment that points the plugin at {@code serverUrl} (the proxy) with the stub's
   * credentials: the vendor's own variables, as a user would set them.
   */
  Map<String, String> environment(String serverUrl);

  /**
   * Settings ({@code TRACELET_<BACKEND>_<KEY>} variables) for retries that wait little, so that a
   * storm passes quickly: at most {@code maxRetries} retries per request where the plugin allows it
   * to be set.
   */
  Map<String, String> quickRetries();

  /** Retries per request that {@link #quickRetries()} sets. */
  int quickRetryCount();

  /** Settings that make a request silent for this long fail on the client's side. */
  Map<String, String> requestTimeout(int seconds);

  /** What the stub holds for the Tracelet run {@code runId}; fails if it has no such run. */
  RunContents contents(String runId);

  @Override
  void close();
}
