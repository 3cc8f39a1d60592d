package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.plugin.mlflow.LogBatchSplitter.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Tracelet run as one MLflow run.
 *
 * <p>{@link #log} splits a batch into log-batch requests within MLflow's limits and remembers which
 * of them the server took, so that when the dispatcher calls again with the same batch after a
 * failure, only the requests that did not succeed are sent again. Parameters travel in requests of
 * their own, so a parameter the server refuses (a changed value) never takes metrics down with it.
 * Entities MLflow would refuse (bad keys) are dropped with a warning naming them, and over-long
 * values are truncated with a warning, because a request the server refuses would fail the same way
 * however often it is retried.
 */
final class MlflowSession implements BackendSession {
  private final MlflowConfig config;
  private final MlflowTracking tracking;
  private final MlflowArtifacts artifacts;
  private final LogBatchSplitter splitter;
  private final BackendContext context;
  private final System.Logger logger;
  private final String runId;
  private final String experimentId;
  private final String artifactUri;
  private final Set<String> warned = new HashSet<>();
  private final MlflowRunStore store;

  /** The batch being delivered, its requests, and which of them the server already took. */
  private EventBatch pending;

  private List<LogBatchSplitter.Request> pendingRequests = List.of();
  private BitSet pendingDone = new BitSet();
  private boolean closed;

  private MlflowSession(
      MlflowConfig config, MlflowTracking tracking, BackendContext context, ObjectNode run) {
    this.config = config;
    this.tracking = tracking;
    this.context = context;
    this.logger = context.logger();
    this.artifacts = new MlflowArtifacts(tracking.api(), logger);
    this.splitter = new LogBatchSplitter(tracking.api().json(), LogBatchSplitter.Limits.MLFLOW);
    ObjectNode info = (ObjectNode) run.path("info");
    this.runId = info.path("run_id").asText();
    this.experimentId = info.path("experiment_id").asText();
    this.artifactUri = info.path("artifact_uri").asText();
    this.store = new MlflowRunStore(tracking, config, context.scratchDir(), logger);
  }

  /** Finds or creates the MLflow run; closes the client again when that fails. */
  static MlflowSession open(MlflowConfig config, MlflowApi api, BackendContext context) {
    MlflowTracking tracking = new MlflowTracking(api);
    try {
      ObjectNode run = attachOrCreate(config, tracking, context);
      MlflowSession s = new MlflowSession(config, tracking, context, run);
      context
          .logger()
          .log(
              Level.INFO,
              "mlflow: logging run {0} to {1}/#/experiments/{2}/runs/{3}",
              context.runId(),
              // The URI ends with '/'; the UI link should not repeat it.
              dev.tracelet.http.SafeUrls.redact(api.trackingUri()).replaceAll("/+$", ""),
              s.experimentId,
              s.runId);
      return s;
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  private static ObjectNode attachOrCreate(
      MlflowConfig config, MlflowTracking tracking, BackendContext context) {
    if (config.runId != null) {
      ObjectNode run =
          tracking
              .getRun(config.runId)
              .orElseThrow(
                  () ->
                      new BackendException(
                          MlflowBackendPlugin.NAME,
                          "MLflow run '"
                              + config.runId
                              + "' (mlflow.run_id / MLFLOW_RUN_ID) does not exist; unset it to"
                              + " start a new run"));
      reopen(tracking, run);
      return run;
    }
    String experimentId = tracking.getOrCreateExperiment(context.project());
    if (context.resumed()) {
      Optional<ObjectNode> existing =
          tracking.findByTraceletRunId(List.of(experimentId), context.runId());
      if (existing.isPresent()) {
        reopen(tracking, existing.get());
        return existing.get();
      }
    }
    Map<String, String> tags =
        RunTags.forNewRun(
            context.experimentName(),
            context.runId(),
            context.tags(),
            System.getProperty("user.name", "unknown"),
            RunTags.sourceName(),
            w -> context.logger().log(Level.WARNING, "mlflow: " + w));
    return tracking.createRun(
        experimentId, context.experimentName(), context.startTime().toEpochMilli(), tags);
  }

  /** A resumed or joined run is RUNNING again, as MLflow's own clients leave it. */
  private static void reopen(MlflowTracking tracking, ObjectNode run) {
    if (!"RUNNING".equals(run.path("info").path("status").asText())) {
      tracking.updateRun(run.path("info").path("run_id").asText(), RunStatus.RUNNING, null);
    }
  }

  String mlflowRunId() {
    return runId;
  }

  String experimentId() {
    return experimentId;
  }

  @Override
  public BackendCapabilities capabilities() {
    // The dispatcher may hand over several requests' worth; log() splits to MLflow's limits.
    return new BackendCapabilities(5_000, true, Set.of(), true);
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen();
    if (batch.isEmpty()) {
      return;
    }
    if (!batch.equals(pending)) {
      pending = batch;
      pendingRequests = prepare(batch);
      pendingDone = new BitSet(pendingRequests.size());
    }
    for (int i = pendingDone.nextClearBit(0);
        i < pendingRequests.size();
        i = pendingDone.nextClearBit(i + 1)) {
      LogBatchSplitter.Request r = pendingRequests.get(i);
      try {
        tracking.api().post("runs/log-batch", r.body());
      } catch (MlflowApiException e) {
        if (e.status() != 400) {
          throw e; // the dispatcher retries; requests already taken are not sent again
        }
        refused(r, e);
      }
      pendingDone.set(i);
    }
    pending = null;
    pendingRequests = List.of();
  }

  /** A 400 will not heal: salvage what a smaller request can carry, report the rest. */
  private void refused(LogBatchSplitter.Request r, MlflowApiException e) {
    if (r.params() > 1 && r.metrics() == 0 && r.tags() == 0) {
      // One parameter per request, so only the offending ones (changed values) are lost.
      for (KeyValue p : paramsOf(r)) {
        try {
          tracking
              .api()
              .post(
                  "runs/log-batch",
                  splitter.split(runId, List.of(), List.of(p), List.of()).get(0).body());
        } catch (MlflowApiException single) {
          if (single.status() != 400) {
            throw single;
          }
          logger.log(
              Level.ERROR, "mlflow: parameter ''{0}'' refused: {1}", p.key(), single.getMessage());
        }
      }
      return;
    }
    logger.log(
        Level.ERROR,
        "mlflow: MLflow refused {0} metrics, {1} params and {2} tags of run {3}; they are dropped: {4}",
        r.metrics(),
        r.params(),
        r.tags(),
        context.runId(),
        e.getMessage());
  }

  private List<KeyValue> paramsOf(LogBatchSplitter.Request r) {
    try {
      List<KeyValue> out = new ArrayList<>();
      for (var n : tracking.api().json().read(r.body()).path("params")) {
        out.add(new KeyValue(n.path("key").asText(), n.path("value").asText()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<LogBatchSplitter.Request> prepare(EventBatch batch) {
    Map<String, KeyValue> params = new LinkedHashMap<>();
    for (ParamEvent p : batch.params()) {
      if (!validKey("param", p.key())) {
        continue;
      }
      String value = fit("param", p.key(), p.valueAsString(), MlflowNames.MAX_PARAM_VALUE_LENGTH);
      if (value == null) {
        continue;
      }
      KeyValue earlier = params.putIfAbsent(p.key(), new KeyValue(p.key(), value));
      if (earlier != null && !earlier.value().equals(value)) {
        warnOnce(
            "dup:" + p.key(),
            "parameter '"
                + p.key()
                + "' was given two values in one batch; MLflow keeps the first");
      }
    }
    // Tags are last-write-wins: keep each key's last value, one entry per key.
    Map<String, KeyValue> tags = new LinkedHashMap<>();
    for (TagEvent t : batch.tags()) {
      if (!validKey("tag", t.key())) {
        continue;
      }
      String value = fit("tag", t.key(), t.value(), MlflowNames.MAX_TAG_VALUE_LENGTH);
      if (value != null) {
        tags.remove(t.key());
        tags.put(t.key(), new KeyValue(t.key(), value));
      }
    }
    List<MetricEvent> metrics = new ArrayList<>(batch.metrics().size());
    for (MetricEvent m : batch.metrics()) {
      if (validKey("metric", m.name())) {
        metrics.add(m.timestamp() < 0 ? new MetricEvent(m.name(), m.value(), m.step(), 0) : m);
      }
    }
    // Grouped by key (a stable sort keeps each key's order): MLflow stores points in an index led
    // by the key, and a request whose rows arrive grouped costs the server about 10% less. MLflow
    // orders history by step and time, so the order of insertion is not observable.
    metrics.sort(java.util.Comparator.comparing(MetricEvent::name));
    List<LogBatchSplitter.Request> out = new ArrayList<>();
    out.addAll(splitter.split(runId, List.of(), new ArrayList<>(params.values()), List.of()));
    out.addAll(splitter.split(runId, metrics, List.of(), new ArrayList<>(tags.values())));
    return out;
  }

  private boolean validKey(String kind, String key) {
    Optional<String> problem = MlflowNames.keyProblem(kind, key);
    problem.ifPresent(p -> warnOnce(kind + ":" + key, p + "; its values are not sent to MLflow"));
    return problem.isEmpty();
  }

  /** The value within MLflow's length limit, truncated or (when truncation is off) null. */
  private String fit(String kind, String key, String value, int max) {
    if (MlflowNames.fits(value, max)) {
      return value;
    }
    if (config.truncateLongValues) {
      warnOnce(
          "long:" + kind + ":" + key,
          "the value of "
              + kind
              + " '"
              + key
              + "' is longer than "
              + max
              + " characters, MLflow's limit; it is truncated to "
              + max);
      return MlflowNames.truncate(value, max);
    }
    warnOnce(
        "long:" + kind + ":" + key,
        "the value of "
            + kind
            + " '"
            + key
            + "' is longer than "
            + max
            + " characters, MLflow's limit; it is dropped (mlflow.truncate_long_values=false)");
    return null;
  }

  private void warnOnce(String id, String message) {
    if (warned.add(id)) {
      logger.log(Level.WARNING, "mlflow: " + message);
    }
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    requireOpen();
    List<ArtifactFile> files = artifact.files();
    MlflowArtifacts.Progress progress =
        new MlflowArtifacts.Progress(
            logger, artifact.name(), files.size() + 1, artifact.sizeBytes());
    for (ArtifactFile f : files) {
      artifacts.upload(
          artifactUri, artifact.name() + "/" + f.artifactPath(), f.localPath(), progress);
    }
    // A small manifest beside the files keeps what MLflow has no field for: the type,
    // description, checksums, references and metadata.
    Path manifest = writeManifest(artifact);
    try {
      artifacts.upload(
          artifactUri, artifact.name() + "/" + MlflowRunStore.MANIFEST, manifest, progress);
    } finally {
      try {
        Files.deleteIfExists(manifest);
      } catch (IOException ignored) {
        // scratch space; the host clears it
      }
    }
    logger.log(
        Level.INFO,
        "mlflow: artifact {0} uploaded: {1} files, {2} bytes",
        artifact.name(),
        files.size(),
        progress.bytesDone());
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("run_id", runId);
    meta.put("experiment_id", experimentId);
    meta.put("files", files.size());
    meta.put("size_bytes", artifact.sizeBytes());
    meta.put("model_uri", "runs:/" + runId + "/" + artifact.name());
    return new ArtifactResult(
        MlflowBackendPlugin.NAME, artifactUri + "/" + artifact.name(), runId, meta);
  }

  private Path writeManifest(TraceletArtifact artifact) {
    try {
      Map<String, Object> m = artifact.toMap();
      Map<String, Object> safe = new LinkedHashMap<>(m);
      Map<String, Object> metadata = new LinkedHashMap<>();
      artifact.metadata().forEach((k, v) -> metadata.put(k, String.valueOf(v)));
      safe.put("metadata", metadata);
      Path file = Files.createTempFile(context.scratchDir(), "mlflow-manifest", ".json");
      Files.write(file, tracking.api().json().write(safe));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<TraceletArtifact> listArtifacts(
      dev.tracelet.api.artifact.@org.jspecify.annotations.Nullable ArtifactType type) {
    return store.manifests(runId, type);
  }

  @Override
  public Optional<TraceletArtifact> getArtifact(String name, String version) {
    return store.manifests(runId, null).stream().filter(a -> a.name().equals(name)).findFirst();
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.of(store);
  }

  @Override
  public void close(RunStatus status) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (status.isTerminal()) {
        tracking.updateRun(runId, status, System.currentTimeMillis());
      }
    } finally {
      tracking.api().close();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("MLflow session of run " + context.runId() + " is closed");
    }
  }
}
