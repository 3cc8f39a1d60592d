package dev.tracelet.testkit.recording;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One run's session: appends what the host delivers to a {@link RecordedRun}.
 *
 * <p>Strict where a real backend would be, so host tests catch host bugs: a batch larger than
 * {@code max_batch_events} is refused with {@link IllegalArgumentException}, {@link #log} after
 * {@link #close(RunStatus)} throws {@link IllegalStateException}, and an artifact file whose
 * content no longer matches its checksum is refused with {@link BackendException}. A second close
 * does not throw; it is counted in {@link RecordedRun#closedMoreThanOnce()}.
 *
 * <p>Not thread-safe, as the SPI allows: the host calls a session from one worker at a time.
 * Whatever it writes goes through the {@link RecordedRun}'s lock, so readers on other threads are
 * safe.
 */
final class RecordingSession implements BackendSession {
  private final RecordedRun run;
  private final BackendCapabilities capabilities;
  private final RecordingStore store;
  private @Nullable RunStatus closedWith;

  RecordingSession(RecordedRun run, int maxBatchEvents, Path scratchDir) {
    this.run = run;
    this.capabilities =
        BackendCapabilities.defaults().withMaxBatchEvents(maxBatchEvents).withReadSupport(true);
    this.store = new RecordingStore(scratchDir);
  }

  @Override
  public BackendCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public void log(EventBatch batch) {
    Objects.requireNonNull(batch, "batch");
    requireOpen("log");
    if (batch.size() > capabilities.maxBatchEvents()) {
      throw new IllegalArgumentException(
          "recording: a batch of "
              + batch.size()
              + " events exceeds max_batch_events="
              + capabilities.maxBatchEvents()
              + " for run "
              + run.runId()
              + "; the host must split batches to capabilities().maxBatchEvents()");
    }
    run.record(batch);
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    Objects.requireNonNull(artifact, "artifact");
    requireOpen("logArtifact");
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    for (ArtifactFile file : artifact.files()) {
      bytes.put(file.artifactPath(), read(artifact, file));
    }
    String version = run.recordArtifact(artifact, bytes);
    return new ArtifactResult(
        RecordingBackendPlugin.NAME,
        "recording://" + run.runId() + "/" + artifact.name() + "/" + version,
        version,
        Map.of("files", bytes.size()));
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.of(store);
  }

  @Override
  public void close(RunStatus status) {
    Objects.requireNonNull(status, "status");
    boolean first = closedWith == null;
    if (first) {
      closedWith = status;
    }
    run.recordClose(status, first);
  }

  private void requireOpen(String operation) {
    if (closedWith != null) {
      throw new IllegalStateException(
          "recording: "
              + operation
              + "() called on the session of run "
              + run.runId()
              + " after close("
              + closedWith
              + "); the host must not use a session once it is closed");
    }
  }

  private byte[] read(TraceletArtifact artifact, ArtifactFile file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file.localPath());
    } catch (IOException e) {
      throw new BackendException(
          RecordingBackendPlugin.NAME,
          "cannot read file "
              + file.localPath()
              + " of artifact '"
              + artifact.name()
              + "': "
              + e
              + "; the host must keep artifact files until logArtifact returns",
          e);
    }
    String checksum = sha256(content);
    if (!checksum.equals(file.checksum())) {
      throw new BackendException(
          RecordingBackendPlugin.NAME,
          "file "
              + file.localPath()
              + " of artifact '"
              + artifact.name()
              + "' changed after it was added (SHA-256 "
              + checksum
              + ", expected "
              + file.checksum()
              + "); add the file again once it is written");
    }
    return content;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
