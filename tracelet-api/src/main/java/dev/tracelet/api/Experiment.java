package dev.tracelet.api;

import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One execution of training code — what MLflow and the local store call a <em>run</em>. Obtain one
 * from {@link Tracelet#startLogging(String)}; it is already started.
 *
 * <p><b>Threads.</b> Every method may be called from any thread. The logging methods only validate
 * and enqueue: they do no I/O, take no lock a backend holds, and return in bounded time whatever
 * the backends do. A bad name or value throws {@link IllegalArgumentException} (or {@link
 * ConfigurationException}) at the call, and nothing logged before is affected.
 *
 * <p><b>Ending.</b> {@link #close()} (for try-with-resources) and {@link #stop()} end the run
 * {@link RunStatus#FINISHED}; {@link #fail(Throwable)} ends it {@link RunStatus#FAILED}; {@link
 * Tracelet#run(StartOptions, ExperimentBlock)} picks between the two by whether the block threw.
 * Ending drains every backend's queue with the {@code shutdown_timeout} deadline, then closes the
 * backends. Ending twice does nothing. After the end, logging calls throw {@link
 * NoActiveRunException}.
 */
public interface Experiment extends AutoCloseable {
  /** The run id: unique, never reused, readable with {@code RunStore.getRun(id)}. */
  String id();

  String name();

  /** The store's experiment this run belongs to; default {@code "default"}. */
  String project();

  Instant createdAt();

  List<String> tags();

  /** The implicit step used by {@link #logMetric(String, double)}; starts at 0. */
  long iteration();

  /** The backends this run delivers to, in order. */
  List<String> backends();

  RunStatus status();

  /** Starts the run if it is not started yet; returns {@code this}. Idempotent. */
  Experiment start();

  /** Ends the run {@link RunStatus#FINISHED}. */
  void stop();

  /** Same as {@link #stop()}, the seed's alias. */
  void end();

  /** Same as {@link #stop()}; declared without a checked exception. */
  @Override
  void close();

  /** Ends the run {@link RunStatus#FAILED}, recording the cause's type and message. */
  void fail(Throwable cause);

  /** Logs a metric point at {@link #iteration()}. Every finite or non-finite double is kept. */
  void logMetric(String name, double value);

  /** Logs a metric point at an explicit step; 0 is a valid step. */
  void logMetric(String name, double value, long iteration);

  /** Logs several metrics at one step, as one row for backends that keep rows. */
  void logMetrics(Map<String, ? extends Number> values, long iteration);

  /**
   * Logs parameters. A key logged again with the same value is ignored; with a different value the
   * call throws {@link IllegalArgumentException} naming the key and both values (parameters are
   * write-once, as in MLflow).
   */
  void logParams(Map<String, ?> params);

  void logHyperparameter(String name, Object value);

  /**
   * Sets a run tag; a later value for the same key replaces the earlier one. A value longer than a
   * parameter's limit (1 MiB characters) is refused: log such text as an artifact.
   */
  void setTag(String key, String value);

  void setIteration(long iteration);

  /** A new, empty artifact to fill with {@code addFile}, {@code addObject}, … and then log. */
  TraceletArtifact createArtifact(String name, ArtifactType type, @Nullable String description);

  /**
   * Delivers an artifact to every backend that takes artifacts and returns one result per backend
   * that stored it. Unlike metrics this waits for the uploads (bounded by {@code
   * shutdown_timeout}), because the caller may delete or change the files afterwards; a backend
   * that fails is logged and left out of the result, and never throws into the caller.
   */
  Map<String, ArtifactResult> logArtifact(TraceletArtifact artifact);

  /** Logs one file as an artifact named after it, with the type inferred from its extension. */
  Map<String, ArtifactResult> logArtifact(Path file);

  /** Logs one file under a relative path inside the run's artifacts (the seed's legacy call). */
  void logFileArtifact(Path localPath, @Nullable String artifactPath);

  /** An artifact logged by this run: from {@code backend}, or the first backend that has it. */
  Optional<TraceletArtifact> getArtifact(String name, String version, @Nullable String backend);

  /** Artifacts logged by this run, optionally of one type and from one backend. */
  List<TraceletArtifact> listArtifacts(@Nullable ArtifactType typeFilter, @Nullable String backend);

  /**
   * Logs the hyperparameters held by {@code source} — a record, a bean with getters, a {@code Map},
   * or an object with {@link Hyperparameter}-annotated fields — and returns what it logged.
   */
  Map<String, Object> captureHyperparams(Object source);

  /** Logs a model's class, size and shape-like properties as parameters; returns them. */
  Map<String, Object> captureModel(Object model);

  /** Logs a data set's size, element type and fingerprint as parameters; returns them. */
  Map<String, Object> captureDataset(Object dataset);

  /**
   * Returns when everything logged so far is delivered (or durably spilled), or when the {@code
   * shutdown_timeout} passes; the run stays open. Never throws because a backend failed.
   */
  void flush();
}
