package dev.tracelet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tracelet demo}: a small but real training run through the whole API — parameters, a data
 * set fingerprint, per-epoch metrics, a model artifact and a registered model version — on the
 * configured backends, so a new user sees something in the store within seconds.
 */
@Command(
    name = "demo",
    description = {
      "Train a small model on generated data and track the run.",
      "A logistic regression learns a seeded two-class data set by gradient descent. The run"
          + " logs hyperparameters, a data set fingerprint, loss, accuracy and learning rate per"
          + " epoch, and the model as an artifact; where the backend has a registry, the model"
          + " is registered as a version of '"
          + DemoCommand.MODEL_NAME
          + "'.",
      "Backends come from the 'backend' setting (default local) unless --backend is given."
    })
final class DemoCommand implements Callable<Integer> {
  static final String MODEL_NAME = "demo-logreg";
  static final String ARTIFACT_NAME = "model";

  private final CliContext context;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "40",
      description = "Training epochs, 1 to 10000 (default: ${DEFAULT-VALUE}).")
  int epochs = 40;

  @Option(
      names = {"-b", "--backend"},
      paramLabel = "NAME",
      split = ",",
      description = "Backends to log to, overriding the 'backend' setting (comma-separated).")
  @Nullable List<String> backends;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project (the store's experiment); default: the 'project' setting.")
  @Nullable String project;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "logreg-demo",
      description = "Run name (default: ${DEFAULT-VALUE}).")
  String name = "logreg-demo";

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the generated data (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(
      names = "--fail",
      description = "Throw halfway through training, to show a FAILED run; exits 1.")
  boolean fail;

  DemoCommand(CliContext context) {
    this.context = context;
  }

  /** The exception {@code --fail} throws mid-training. */
  static final class DemoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoFailure(int epoch) {
      super("simulated failure at epoch " + epoch + " (--fail)");
    }
  }

  @Override
  public Integer call() {
    if (epochs < 1 || epochs > 10_000) {
      throw CliException.usage("--epochs must be between 1 and 10000, was " + epochs);
    }
    PrintWriter out = context.out();
    DemoTraining.Hyperparameters hp = DemoTraining.Hyperparameters.defaults(epochs, seed);
    DemoTraining training = new DemoTraining(hp);
    StartOptions.Builder options = StartOptions.builder(name).tags("demo", "logistic-regression");
    if (project != null) {
      options.project(project);
    }
    if (backends != null && !backends.isEmpty()) {
      options.backends(backends);
    }
    try (TraceletEngine engine = context.openEngine()) {
      Experiment run = engine.startExperiment(options.build());
      out.println(
          "Run "
              + run.id()
              + " started: project '"
              + run.project()
              + "', backends "
              + String.join(", ", run.backends()));
      out.flush();
      int failAt = fail ? epochs / 2 : -1;
      DemoTraining.Result result;
      Map<String, ArtifactResult> stored;
      try {
        run.captureHyperparams(hp);
        run.logParams(training.dataParams());
        run.captureDataset(training.data().samples());
        int every = Math.max(1, epochs / 8);
        result =
            training.run(
                e -> {
                  run.logMetrics(e.metrics(), e.epoch());
                  if (e.epoch() % every == 0 || e.epoch() == epochs - 1) {
                    printEpoch(out, e);
                  }
                  if (e.epoch() == failAt) {
                    throw new DemoFailure(e.epoch());
                  }
                });
        stored = logModel(run, result, hp);
      } catch (RuntimeException e) {
        run.fail(e);
        DeliveryReport report = report(run);
        out.println();
        out.println("Run " + run.id() + " ended " + run.status() + ": " + e.getMessage());
        printDelivery(out, report);
        printHints(out, run, List.of());
        if (e instanceof DemoFailure) {
          throw new CliException(
              "demo run " + run.id() + " failed on purpose (--fail); it is stored as FAILED",
              ExitCodes.PROBLEM);
        }
        throw e;
      }
      DeliveryReport report = end(run);
      List<String> registered = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      long journaled =
          report.backends().stream()
              .mapToLong(dev.tracelet.core.dispatch.BackendDelivery::journaled)
              .sum();
      if (report.undelivered() > journaled) {
        problems.add(report.undelivered() - journaled + " events were not delivered: " + report);
      }
      register(engine, run, stored.keySet(), result, registered, problems);
      printSummary(out, run, result, report, stored, registered);
      printHints(out, run, registered);
      if (journaled > 0) {
        // Offline mode, or a backend that was down: nothing is lost, it waits on disk.
        out.println();
        out.println(
            journaled
                + " events are kept in the journal; deliver them with: tracelet sync "
                + run.id());
        out.flush();
      }
      if (!problems.isEmpty()) {
        throw new CliException(String.join("; ", problems), ExitCodes.PROBLEM);
      }
      return ExitCodes.OK;
    }
  }

  private static void printEpoch(PrintWriter out, DemoTraining.Epoch e) {
    out.printf(
        Locale.ROOT,
        "  epoch %3d  lr %.4f  train loss %.4f acc %.3f  val loss %.4f acc %.3f%n",
        e.epoch(),
        e.learningRate(),
        e.trainLoss(),
        e.trainAccuracy(),
        e.valLoss(),
        e.valAccuracy());
    out.flush();
  }

  /** Writes the model as JSON and logs it as a MODEL artifact; returns where it was stored. */
  private static Map<String, ArtifactResult> logModel(
      Experiment run, DemoTraining.Result result, DemoTraining.Hyperparameters hp) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("tracelet-demo-");
      Path file = dir.resolve("model.json");
      Files.writeString(file, modelJson(result, hp));
      TraceletArtifact artifact =
          run.createArtifact(
                  ARTIFACT_NAME,
                  ArtifactType.MODEL,
                  "logistic regression: weights, bias and input standardization (JSON)")
              .addFile(file, "model.json", "the trained model")
              .putMetadata("framework", "tracelet-demo")
              .putMetadata("val_accuracy", result.last().valAccuracy());
      // logArtifact returns once every backend has its copy, so the file may go afterwards.
      return run.logArtifact(artifact);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the demo model: " + e.getMessage(), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  static String modelJson(DemoTraining.Result result, DemoTraining.Hyperparameters hp) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", "logistic-regression");
    m.put(
        "features",
        IntStream.range(0, result.model().weights().length).mapToObj(j -> "x" + j).toList());
    m.put("weights", result.model().weights());
    m.put("bias", result.model().bias());
    Map<String, Object> standardization = new LinkedHashMap<>();
    standardization.put("means", result.standardizer().means());
    standardization.put("stds", result.standardizer().stds());
    m.put("standardization", standardization);
    m.put("epochs", hp.epochs());
    m.put("seed", hp.seed());
    m.put("val_accuracy", result.last().valAccuracy());
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover temp file is harmless; the OS cleans its temp folder.
    }
  }

  /** Ends the run FINISHED and returns what reached each backend. */
  private static DeliveryReport end(Experiment run) {
    if (run instanceof DefaultExperiment d) {
      return d.end(RunStatus.FINISHED);
    }
    run.stop();
    return new DeliveryReport(List.of());
  }

  private static DeliveryReport report(Experiment run) {
    return run instanceof DefaultExperiment d ? d.deliveryReport() : new DeliveryReport(List.of());
  }

  /** Registers the model in every backend that stored it and has a registry. */
  private void register(
      TraceletEngine engine,
      Experiment run,
      Iterable<String> storedIn,
      DemoTraining.Result result,
      List<String> registered,
      List<String> problems) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("source", "tracelet demo");
    tags.put("val_accuracy", String.format(Locale.ROOT, "%.4f", result.last().valAccuracy()));
    for (String backend : storedIn) {
      RunStore store;
      try {
        store = engine.store(backend);
      } catch (ConfigurationException e) {
        context.out().println("  " + backend + ": no read side, so no model registry; skipped");
        continue;
      }
      try {
        String version = store.registry().registerModel(run.id(), ARTIFACT_NAME, MODEL_NAME, tags);
        registered.add(backend);
        context
            .out()
            .println("Registered model " + MODEL_NAME + " version " + version + " in " + backend);
      } catch (UnsupportedOperationException e) {
        context.out().println("  " + backend + ": has no model registry; skipped");
      } catch (RuntimeException e) {
        problems.add(
            "could not register the model in " + backend + ": " + Formats.oneLine(e.getMessage()));
      }
    }
  }

  private static void printSummary(
      PrintWriter out,
      Experiment run,
      DemoTraining.Result result,
      DeliveryReport report,
      Map<String, ArtifactResult> stored,
      List<String> registered) {
    DemoTraining.Epoch last = result.last();
    out.println();
    out.println("Run " + run.id() + " " + run.status());
    out.printf(
        Locale.ROOT,
        "  final   train loss %.4f accuracy %.3f | validation loss %.4f accuracy %.3f%n",
        last.trainLoss(),
        last.trainAccuracy(),
        last.valLoss(),
        last.valAccuracy());
    out.println("  weights " + Arrays.toString(round(result.model().weights())));
    printDelivery(out, report);
    stored.forEach((backend, r) -> out.println("  model artifact in " + backend + ": " + r.uri()));
    if (registered.isEmpty()) {
      out.println("  no model version registered");
    }
  }

  private static double[] round(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.round(v[i] * 1e4) / 1e4;
    }
    return out;
  }

  private static void printDelivery(PrintWriter out, DeliveryReport report) {
    for (BackendDelivery b : report.backends()) {
      out.println("  delivery " + b);
    }
  }

  private static void printHints(PrintWriter out, Experiment run, List<String> registered) {
    // Only backends with a read side can answer these commands (W&B and ClearML have none).
    String backend =
        run.backends().contains("local")
            ? "local"
            : registered.isEmpty() ? null : registered.get(0);
    out.println();
    if (backend == null) {
      out.println(
          "Look at it in the backend's own UI (" + String.join(", ", run.backends()) + ").");
      out.flush();
      return;
    }
    String opt = "local".equals(backend) ? "" : " --backend " + backend;
    out.println("Look at it:");
    out.println("  tracelet runs show " + run.id() + opt);
    out.println("  tracelet runs show " + run.id() + " --history val_loss" + opt);
    out.println("  tracelet runs list " + run.project() + opt);
    out.println("  tracelet runs compare " + run.id() + " <another run id>" + opt);
    if (!registered.isEmpty()) {
      out.println("  tracelet models versions " + MODEL_NAME + opt);
    }
    out.flush();
  }
}
