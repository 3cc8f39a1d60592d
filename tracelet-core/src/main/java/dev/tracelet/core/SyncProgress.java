package dev.tracelet.core;

/**
 * Told, from a background thread every fraction of a second and once at the end, how far one {@code
 * tracelet sync} of one run into one backend has got.
 */
@FunctionalInterface
public interface SyncProgress {
  /**
   * @param delivered events the backend has taken so far
   * @param total events to send; 0 while not yet known (a journal being opened)
   */
  void update(long delivered, long total);

  /** Progress nobody watches. */
  static SyncProgress none() {
    return (delivered, total) -> {};
  }
}
