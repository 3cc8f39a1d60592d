package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;

/**
 * Where a session's requests go: W&amp;B's API ({@link HttpTransport}) or, in offline mode, a local
 * journal ({@link OfflineTransport}). The session builds the same requests for both, so an offline
 * run holds exactly what an online one would have sent.
 */
interface RunTransport extends AutoCloseable {
  /**
   * Creates or updates the run with {@code UpsertBucket} variables.
   *
   * @throws WandbRequestException if W&amp;B refuses or cannot be reached
   */
  Bucket upsertRun(ObjectNode variables);

  /**
   * Sends one file-stream request body.
   *
   * @param retry whether failures are retried (heartbeats are not)
   * @throws WandbRequestException if W&amp;B refuses or cannot be reached
   */
  FileStreamAnswer sendFileStream(RunPath run, ObjectNode body, boolean retry);

  /** Stores an artifact's files for {@code run}. */
  ArtifactResult saveArtifact(RunPath run, TraceletArtifact artifact, ArtifactManifest manifest);

  /** Whether requests go over the network (and so must be paced). */
  boolean online();

  /** Releases connections, threads and files; a second call does nothing. */
  @Override
  void close();
}
