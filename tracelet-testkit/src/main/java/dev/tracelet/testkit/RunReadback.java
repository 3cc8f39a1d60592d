package dev.tracelet.testkit;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend stored for one run, as the {@link BackendCompatibilityKit} asks it after the run
 * was closed. Implement it over whatever the backend can be asked: its {@link RunStore} ({@link
 * #fromStore(RunStore, String)}), a mock server's received requests, or files it wrote.
 *
 * <p>Answer what the backend really holds, not what was sent: the kit's checks are only as strict
 * as this view. A run the backend does not know should make the methods throw, not look empty.
 */
public interface RunReadback {
  /** Every stored point of metric {@code key}, in step order; empty if the key has none. */
  List<MetricPoint> metric(String key);

  /** The stored parameters, values as strings; backends may add keys of their own. */
  Map<String, String> params();

  /** The stored key/value tags; backends may add tags of their own. */
  Map<String, String> tags();

  /** The run's final status, or empty if this backend cannot report one (those checks skip). */
  Optional<RunStatus> status();

  /**
   * Whether {@link #artifactBytes(String)} answers. If false (the default) the kit's artifact
   * checks are skipped, not failed.
   */
  default boolean readsArtifacts() {
    return false;
  }

  /**
   * The bytes of one stored artifact file, or empty if the backend holds no such file.
   *
   * @param path the artifact's name and the file's artifact path joined by {@code /}, such as
   *     {@code kit-blob/data/blob.bin}
   */
  default Optional<byte[]> artifactBytes(String path) {
    return Optional.empty();
  }

  /** This view without artifact support, for stores that cannot serve artifact files. */
  default RunReadback withoutArtifacts() {
    RunReadback self = this;
    return new RunReadback() {
      @Override
      public List<MetricPoint> metric(String key) {
        return self.metric(key);
      }

      @Override
      public Map<String, String> params() {
        return self.params();
      }

      @Override
      public Map<String, String> tags() {
        return self.tags();
      }

      @Override
      public Optional<RunStatus> status() {
        return self.status();
      }
    };
  }

  /**
   * A view of run {@code runId} through a backend's read side: {@link RunStore#getRun} for
   * parameters, tags and status (a missing run throws {@link
   * dev.tracelet.api.RunNotFoundException}), {@link RunStore#metricHistory} for metrics, and {@link
   * RunStore#artifactPath(String, String)} with the path described at {@link
   * #artifactBytes(String)} for artifacts ({@link dev.tracelet.api.ArtifactNotFoundException} reads
   * as empty). Use {@link #withoutArtifacts()} if the store cannot serve artifact files.
   */
  static RunReadback fromStore(RunStore store, String runId) {
    return new StoreReadback(store, runId);
  }
}
