package dev.tracelet.testkit;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link RunReadback#fromStore(RunStore, String)}: a run read through a {@link RunStore}. */
final class StoreReadback implements RunReadback {
  private final RunStore store;
  private final String runId;

  StoreReadback(RunStore store, String runId) {
    this.store = Objects.requireNonNull(store, "store");
    this.runId = Objects.requireNonNull(runId, "runId");
  }

  @Override
  public List<MetricPoint> metric(String key) {
    return store.metricHistory(runId, key);
  }

  @Override
  public Map<String, String> params() {
    return run().params();
  }

  @Override
  public Map<String, String> tags() {
    return run().tags();
  }

  @Override
  public Optional<RunStatus> status() {
    return Optional.of(run().info().status());
  }

  @Override
  public boolean readsArtifacts() {
    return true;
  }

  @Override
  public Optional<byte[]> artifactBytes(String path) {
    Path file;
    try {
      file = store.artifactPath(runId, path);
    } catch (ArtifactNotFoundException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact file " + file + " of run " + runId, e);
    }
  }

  private RunDetails run() {
    return store
        .getRun(runId)
        .orElseThrow(
            () ->
                new RunNotFoundException(
                    "The store has no run "
                        + runId
                        + "; the backend lost it, or readback() asks a different store than the"
                        + " one the sessions wrote to"));
  }

  @Override
  public String toString() {
    return "RunReadback.fromStore(" + store.getClass().getSimpleName() + ", " + runId + ")";
  }
}
