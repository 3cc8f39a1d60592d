package dev.tracelet.core.runtime;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.NoActiveRunException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactPaths;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.ExperimentDispatcher;
import dev.tracelet.core.plugin.Failures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's {@link Experiment}: validates on the caller's thread and hands events to the
 * dispatcher, which owns every backend interaction.
 */
public final class DefaultExperiment implements Experiment {
  private static final Logger log = LoggerFactory.getLogger(DefaultExperiment.class);

  private final String id;
  private final String name;
  private final String project;
  private final Instant createdAt;
  private final List<String> tags;
  private final ExperimentConfig config;
  private final ExperimentDispatcher dispatcher;
  private final Duration timeout;
  private final Path scratchDir;
  private final Consumer<DefaultExperiment> onEnd;
  private final ArtifactWriter artifactWriter = new ArtifactWriter();
  private final ConcurrentHashMap<String, Object> params = new ConcurrentHashMap<>();
  private final AtomicReference<RunStatus> status = new AtomicReference<>(RunStatus.RUNNING);
  private final List<AutoCloseable> attachments = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Read on every logging call; cheaper than the AtomicReference and never stale for long. */
  private volatile boolean open = true;

  private volatile long iteration;
  private volatile @Nullable DeliveryReport finalReport;

  DefaultExperiment(
      String id,
      String name,
      String project,
      Instant createdAt,
      List<String> tags,
      ExperimentConfig config,
      ExperimentDispatcher dispatcher,
      Duration timeout,
      Path scratchDir,
      Consumer<DefaultExperiment> onEnd) {
    this.id = id;
    this.name = name;
    this.project = project;
    this.createdAt = createdAt;
    this.tags = List.copyOf(tags);
    this.config = config;
    this.dispatcher = dispatcher;
    this.timeout = timeout;
    this.scratchDir = scratchDir;
    this.onEnd = onEnd;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String project() {
    return project;
  }

  @Override
  public Instant createdAt() {
    return createdAt;
  }

  @Override
  public List<String> tags() {
    return tags;
  }

  @Override
  public long iteration() {
    return iteration;
  }

  @Override
  public List<String> backends() {
    return dispatcher.backends();
  }

  @Override
  public RunStatus status() {
    return status.get();
  }

  /** What the run's capture settings are. */
  public ExperimentConfig config() {
    return config;
  }

  @Override
  public Experiment start() {
    return this;
  }

  @Override
  public void stop() {
    end(RunStatus.FINISHED);
  }

  @Override
  public void end() {
    stop();
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public void fail(Throwable cause) {
    if (open) {
      String text = cause.getClass().getName() + ": " + Objects.toString(cause.getMessage(), "");
      dispatcher.dispatch(new TagEvent("tracelet.failure", truncate(text, 5000)));
    }
    end(RunStatus.FAILED);
  }

  /**
   * Ends the run once with {@code status}: stops accepting events, drains every backend within
   * {@code shutdown_timeout}, ends the backends' runs, and reports what did not arrive. Returns the
   * final report; a second call returns the first call's report.
   */
  public DeliveryReport end(RunStatus status) {
    if (!status.isTerminal()) {
      throw new IllegalArgumentException("cannot end a run as " + status);
    }
    if (!this.status.compareAndSet(RunStatus.RUNNING, status)) {
      DeliveryReport r = finalReport;
      return r == null ? dispatcher.report() : r;
    }
    open = false;
    for (AutoCloseable a : attachments) {
      try {
        a.close();
      } catch (Exception e) {
        log.debug("Closing {} failed: {}", a, e.toString());
      }
    }
    DeliveryReport report = dispatcher.close(status, timeout);
    finalReport = report;
    if (report.complete()) {
      log.debug("Run {} ended {}: {}", id, status, report);
    } else {
      log.warn(
          "Run {} ended {} with {} events not delivered: {}",
          id,
          status,
          report.undelivered(),
          report);
    }
    deleteScratch();
    onEnd.accept(this);
    return report;
  }

  /** The delivery figures so far, or the final ones once the run has ended. */
  public DeliveryReport deliveryReport() {
    DeliveryReport r = finalReport;
    return r == null ? dispatcher.report() : r;
  }

  /** Closes {@code resource} (a collector, a hook) when the run ends. */
  void attach(AutoCloseable resource) {
    attachments.add(resource);
  }

  @Override
  public void logMetric(String name, double value) {
    logMetric(name, value, iteration);
  }

  @Override
  public void logMetric(String name, double value, long step) {
    requireOpen();
    Names.requireKey("Metric", name);
    if (config.trackMetrics()) {
      dispatcher.dispatch(new MetricEvent(name, value, step, System.currentTimeMillis()));
    }
  }

  @Override
  public void logMetrics(Map<String, ? extends Number> values, long step) {
    requireOpen();
    Objects.requireNonNull(values, "values");
    // Check everything first, so a bad entry leaves nothing half-logged.
    for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
      Names.requireKey("Metric", e.getKey());
      if (e.getValue() == null) {
        throw new IllegalArgumentException(
            "Metric '"
                + e.getKey()
                + "' has a null value; pass a number (NaN and infinities are kept), or leave the"
                + " metric out");
      }
    }
    if (!config.trackMetrics()) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
      dispatcher.dispatch(new MetricEvent(e.getKey(), e.getValue().doubleValue(), step, now));
    }
  }

  /**
   * Queues a metric point recorded earlier, keeping its step and timestamp: {@code tracelet sync}
   * copies a stored run this way. {@code track_metrics} does not apply: a sync copies what was
   * kept. Like every logging call it never blocks; a full queue counts a drop.
   */
  void replayMetric(MetricEvent point) {
    requireOpen();
    Names.requireKey("Metric", point.name());
    dispatcher.dispatch(point);
  }

  @Override
  public void logParams(Map<String, ?> values) {
    requireOpen();
    Objects.requireNonNull(values, "params");
    Map<String, Object> normalized = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String key = Names.requireKey("Parameter", e.getKey());
      Object v = Names.paramValue(key, e.getValue());
      Object previous = params.get(key);
      if (previous != null && !previous.equals(v)) {
        throw changedParam(key, previous, v);
      }
      normalized.put(key, v);
    }
    for (Map.Entry<String, Object> e : normalized.entrySet()) {
      Object previous = params.putIfAbsent(e.getKey(), e.getValue());
      if (previous == null) {
        dispatcher.dispatch(new ParamEvent(e.getKey(), e.getValue()));
      } else if (!previous.equals(e.getValue())) {
        // Another thread won the race with a different value.
        throw changedParam(e.getKey(), previous, e.getValue());
      }
    }
  }

  private static IllegalArgumentException changedParam(String key, Object previous, Object now) {
    return new IllegalArgumentException(
        "Parameter '"
            + key
            + "' was already logged as "
            + truncate(String.valueOf(previous), 200)
            + " and cannot change to "
            + truncate(String.valueOf(now), 200)
            + ": parameters are write-once. Log it under another name, or use a metric or tag"
            + " for values that change.");
  }

  @Override
  public void logHyperparameter(String name, Object value) {
    logParams(java.util.Collections.singletonMap(name, value));
  }

  @Override
  public void setTag(String key, String value) {
    requireOpen();
    Names.requireKey("Tag", key);
    if (value == null) {
      throw new IllegalArgumentException(
          "Tag '" + key + "' has a null value; pass a string (the empty string is allowed)");
    }
    // The same bound as a parameter value: a tag is a label, and one event must stay journalable.
    if (value.length() > Names.MAX_PARAM_VALUE_CHARS) {
      throw new IllegalArgumentException(
          "Tag '"
              + key
              + "' is "
              + value.length()
              + " characters long; the limit is "
              + Names.MAX_PARAM_VALUE_CHARS
              + ". Log large values as an artifact instead.");
    }
    dispatcher.dispatch(new TagEvent(key, value));
  }

  @Override
  public void setIteration(long iteration) {
    this.iteration = iteration;
  }

  @Override
  public TraceletArtifact createArtifact(
      String name, ArtifactType type, @Nullable String description) {
    return new TraceletArtifact(name, type, description);
  }

  @Override
  public Map<String, ArtifactResult> logArtifact(TraceletArtifact artifact) {
    requireOpen();
    Objects.requireNonNull(artifact, "artifact");
    if (!config.enableArtifacts()) {
      log.warn("Artifact '{}' not logged: enable_artifacts is off for this run", artifact.name());
      return Map.of();
    }
    TraceletArtifact files = artifactWriter.materialize(artifact, scratchDir.resolve("objects"));
    List<String> targets = artifactTargets();
    Map<String, CompletableFuture<ArtifactResult>> futures =
        dispatcher.submitArtifact(targets, files, s -> s.logArtifact(files), timeout);
    Map<String, ArtifactResult> results = new LinkedHashMap<>();
    await(futures, "log artifact '" + artifact.name() + "'").forEach(results::put);
    return results;
  }

  /**
   * Every backend that takes artifacts. The Python original sent an artifact only to the backends
   * "preferring" its type, so a model logged to {@code local,clearml} never reached the local
   * store; here preferences never take an artifact away from a backend.
   */
  private List<String> artifactTargets() {
    Map<String, BackendCapabilities> caps =
        await(dispatcher.capabilities(timeout), "read capabilities");
    List<String> taking = new ArrayList<>();
    caps.forEach(
        (backend, c) -> {
          if (c.artifacts()) {
            taking.add(backend);
          }
        });
    return taking;
  }

  @Override
  public Map<String, ArtifactResult> logArtifact(Path file) {
    Objects.requireNonNull(file, "file");
    String fileName = String.valueOf(file.getFileName());
    TraceletArtifact a =
        new TraceletArtifact(safeName(fileName), ArtifactType.inferFromFileName(fileName), null)
            .addFile(file, safeName(fileName), null);
    return logArtifact(a);
  }

  @Override
  public void logFileArtifact(Path localPath, @Nullable String artifactPath) {
    Objects.requireNonNull(localPath, "localPath");
    String fileName = safeName(String.valueOf(localPath.getFileName()));
    String inside =
        artifactPath == null || artifactPath.isBlank()
            ? fileName
            : ArtifactPaths.requireSafeRelative(artifactPath, "artifactPath");
    String artifactName =
        inside.contains("/") ? inside.substring(0, inside.indexOf('/')) : fileName;
    String within = inside.contains("/") ? inside.substring(inside.indexOf('/') + 1) : fileName;
    TraceletArtifact a =
        new TraceletArtifact(
                artifactName,
                ArtifactType.inferFromFileName(fileName),
                "logged with logFileArtifact")
            .addFile(localPath, within, null);
    logArtifact(a);
  }

  /** A file name made safe as an artifact name: unsupported characters become '_'. */
  static String safeName(String fileName) {
    String s = fileName.replaceAll("[^A-Za-z0-9._+@=,-]", "_");
    if (s.isEmpty() || s.equals(".") || s.equals("..") || s.startsWith(" ")) {
      s = "_" + s;
    }
    return s;
  }

  @Override
  public Optional<TraceletArtifact> getArtifact(
      String name, String version, @Nullable String backend) {
    requireOpen();
    List<String> targets = backend == null ? dispatcher.backends() : List.of(backend);
    Map<String, Optional<TraceletArtifact>> found =
        await(
            dispatcher.submit(targets, s -> s.getArtifact(name, version), timeout), "get artifact");
    return found.values().stream().flatMap(Optional::stream).findFirst();
  }

  @Override
  public List<TraceletArtifact> listArtifacts(
      @Nullable ArtifactType typeFilter, @Nullable String backend) {
    requireOpen();
    List<String> targets = backend == null ? dispatcher.backends() : List.of(backend);
    Map<String, List<TraceletArtifact>> found =
        await(
            dispatcher.submit(targets, s -> s.listArtifacts(typeFilter), timeout),
            "list artifacts");
    return found.values().stream()
        .flatMap(List::stream)
        .filter(a -> typeFilter == null || a.type() == typeFilter)
        .toList();
  }

  @Override
  public Map<String, Object> captureHyperparams(Object source) {
    Map<String, Object> captured = Capture.hyperparams(Objects.requireNonNull(source, "source"));
    logParams(captured);
    return captured;
  }

  @Override
  public Map<String, Object> captureModel(Object model) {
    Map<String, Object> captured = Capture.model(Objects.requireNonNull(model, "model"));
    logParams(captured);
    return captured;
  }

  @Override
  public Map<String, Object> captureDataset(Object dataset) {
    Map<String, Object> captured = Capture.dataset(Objects.requireNonNull(dataset, "dataset"));
    logParams(captured);
    return captured;
  }

  @Override
  public void flush() {
    if (!open) {
      return;
    }
    DeliveryReport report = dispatcher.flush(timeout);
    if (!report.complete()) {
      log.warn("Run {}: flush left {} events undelivered: {}", id, report.undelivered(), report);
    }
  }

  private void requireOpen() {
    if (!open) {
      throw new NoActiveRunException(
          "Run "
              + id
              + " ('"
              + name
              + "') has ended ("
              + status.get()
              + "); start a new experiment with Tracelet.startLogging to log more.");
    }
  }

  private <T> Map<String, T> await(Map<String, CompletableFuture<T>> futures, String what) {
    Map<String, T> out = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Map.Entry<String, CompletableFuture<T>> e : futures.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        out.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
      } catch (ExecutionException ex) {
        log.warn(
            "Backend '{}' could not {}: {}", e.getKey(), what, Failures.describe(ex.getCause()));
      } catch (TimeoutException ex) {
        log.warn("Backend '{}' did not {} within {}", e.getKey(), what, timeout);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return out;
  }

  private void deleteScratch() {
    if (!Files.exists(scratchDir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(scratchDir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // Best effort: a scratch file held open by a backend is left for the OS.
                }
              });
    } catch (IOException e) {
      log.debug("Could not delete scratch dir {}: {}", scratchDir, e.toString());
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  @Override
  public String toString() {
    return "Experiment{id="
        + id
        + ", name="
        + name
        + ", project="
        + project
        + ", status="
        + status.get().name().toLowerCase(Locale.ROOT)
        + ", backends="
        + backends()
        + '}';
  }
}
