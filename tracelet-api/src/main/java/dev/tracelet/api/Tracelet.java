package dev.tracelet.api;

import dev.tracelet.api.store.RunStore;
import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The entry point: start and stop experiments, and reach a backend's read side.
 *
 * <pre>{@code
 * try (Experiment exp = Tracelet.startLogging("resnet")) {
 *   exp.logParams(Map.of("lr", 0.01));
 *   for (int epoch = 0; epoch < 10; epoch++) {
 *     exp.logMetric("loss", train(), epoch);
 *   }
 * }
 * }</pre>
 *
 * <p>The runtime ({@code tracelet-core}) is found with {@link ServiceLoader} on first use; without
 * it every method throws {@link ConfigurationException} naming the artifact to add. One experiment
 * at a time is <em>active</em> (the seed's global experiment); any number may be open.
 */
public final class Tracelet {
  private Tracelet() {}

  /** Starts an experiment on the backends of the {@code backend} setting and makes it active. */
  public static Experiment startLogging(String experimentName) {
    return startLogging(StartOptions.builder(experimentName).build());
  }

  /**
   * Starts an experiment in {@code project} on the given backends (none: from the settings) and
   * makes it active.
   */
  public static Experiment startLogging(String experimentName, String project, String... backends) {
    return startLogging(
        StartOptions.builder(experimentName).project(project).backends(backends).build());
  }

  /**
   * Starts an experiment and makes it active, stopping the previously active one. Fails with {@link
   * ConfigurationException} when a setting or backend name is wrong, before anything is created.
   */
  public static Experiment startLogging(StartOptions options) {
    return runtime().startExperiment(options);
  }

  /** Stops the active experiment ({@link RunStatus#FINISHED}); does nothing when there is none. */
  public static void stopLogging() {
    runtime().stopActiveExperiment();
  }

  public static Optional<Experiment> activeExperiment() {
    return runtime().activeExperiment();
  }

  /**
   * Runs {@code block} in a new experiment and ends it: {@link RunStatus#FINISHED} when the block
   * returns, {@link RunStatus#FAILED} when it throws (the exception is rethrown unchanged).
   */
  public static <X extends Exception> void run(StartOptions options, ExperimentBlock<X> block)
      throws X {
    Experiment experiment = startLogging(options);
    try {
      block.run(experiment);
    } catch (Throwable t) {
      experiment.fail(t);
      throw t;
    }
    experiment.stop();
  }

  /** {@link #run(StartOptions, ExperimentBlock)} with only a name. */
  public static <X extends Exception> void run(String experimentName, ExperimentBlock<X> block)
      throws X {
    run(StartOptions.builder(experimentName).build(), block);
  }

  /**
   * The read side of a backend ({@code "local"}, {@code "mlflow"}): experiments, runs, metric
   * history and the model registry. Throws {@link ConfigurationException} if the backend is not
   * installed or cannot answer queries.
   */
  public static RunStore store(String backend) {
    return runtime().store(backend);
  }

  /** The effective settings, secrets masked in their {@code toString()}. */
  public static TraceletSettings settings() {
    return runtime().settings();
  }

  private static TraceletRuntime runtime() {
    Object found = RuntimeHolder.RUNTIME_OR_PROBLEM;
    if (found instanceof TraceletRuntime runtime) {
      return runtime;
    }
    // A fresh exception per call: an error in a static initializer would surface once as
    // ExceptionInInitializerError and then as a bare NoClassDefFoundError.
    throw new ConfigurationException((String) found);
  }

  /** Initialised on first use (the holder idiom), so loading the API costs nothing. */
  private static final class RuntimeHolder {
    static final Object RUNTIME_OR_PROBLEM = load();

    private static Object load() {
      try {
        Iterator<TraceletRuntime> it =
            ServiceLoader.load(TraceletRuntime.class, Tracelet.class.getClassLoader()).iterator();
        if (it.hasNext()) {
          return it.next();
        }
      } catch (ServiceConfigurationError | RuntimeException e) {
        return "The Tracelet runtime on the class path could not be loaded ("
            + e
            + "). Check that dev.tracelet:tracelet-core has the same version as tracelet-api ("
            + TraceletVersion.version()
            + ").";
      }
      return "No Tracelet runtime on the class path. Add the runtime dependency"
          + " dev.tracelet:tracelet-core:"
          + TraceletVersion.version()
          + " (Maven: <artifactId>tracelet-core</artifactId> with <scope>runtime</scope>).";
    }
  }
}
