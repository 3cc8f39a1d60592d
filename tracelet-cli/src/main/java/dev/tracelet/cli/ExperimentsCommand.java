package dev.tracelet.cli;

import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tracelet experiments list|show|delete}: a store's experiments (groups of runs). */
@Command(
    name = "experiments",
    description =
        "List, show and delete experiments: a store's groups of runs (Tracelet projects).")
final class ExperimentsCommand {
  private final CliContext context;

  ExperimentsCommand(CliContext context) {
    this.context = context;
  }

  @Command(
      name = "list",
      description = {
        "List experiments with their number of runs and latest run.",
        "Sort fields: experiment_id, name, created_at, num_runs, last_run."
      })
  int list(@Mixin Mixins.Backend backend, @Mixin Mixins.Sorting sorting, @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          List<ExperimentSummary> all = store.experimentSummaries(sorting.sort());
          if (json.enabled) {
            context.printJson(all.stream().map(JsonViews::summary).toList());
            return ExitCodes.OK;
          }
          if (all.isEmpty()) {
            context
                .out()
                .println(
                    "No experiments in backend '"
                        + backend.name
                        + "' yet; 'tracelet demo' creates one.");
            return ExitCodes.OK;
          }
          Table t = new Table("ID", "NAME", "CREATED", "RUNS", "LAST RUN");
          for (ExperimentSummary s : all) {
            t.row(
                s.experimentId(),
                s.name(),
                Formats.time(s.createdAt()),
                s.numRuns(),
                Formats.time(s.lastRun()));
          }
          context.print(t);
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "show",
      description = {
        "Show one experiment and its runs.",
        "Sort fields for the runs: run_id, name, status, start_time, end_time, duration,"
            + " param.<key>, metric.<key>."
      })
  int show(
      @Parameters(paramLabel = "EXPERIMENT", description = "Experiment id or name.")
          String idOrName,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Sorting sorting,
      @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          ExperimentInfo e = require(store, idOrName, backend.name);
          List<RunInfo> runs = store.experimentRuns(e.id(), sorting.sort());
          if (json.enabled) {
            Map<String, Object> m = new LinkedHashMap<>(JsonViews.experiment(e));
            m.put("runs", runs.stream().map(JsonViews::run).toList());
            context.printJson(m);
            return ExitCodes.OK;
          }
          Table head = new Table("FIELD", "VALUE");
          head.row("Experiment", e.id());
          head.row("Name", e.name());
          head.row("Created", Formats.time(e.createdAt()));
          head.row("Tags", Formats.pairs(e.tags()));
          context.print(head);
          context.out().println();
          context.out().println("Runs (" + runs.size() + ")");
          if (!runs.isEmpty()) {
            context.print(RunsCommand.runTable(runs));
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "delete",
      description = {
        "Delete an experiment and its runs.",
        "Stores that soft-delete keep them until 'tracelet gc'."
      })
  int delete(
      @Parameters(paramLabel = "EXPERIMENT", description = "Experiment id or name.")
          String idOrName,
      @Mixin Mixins.Backend backend) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          ExperimentInfo e = require(store, idOrName, backend.name);
          store.deleteExperiment(e.id());
          context
              .out()
              .println("Deleted experiment '" + e.name() + "' (id " + e.id() + ") and its runs.");
          return ExitCodes.OK;
        });
  }

  static ExperimentInfo require(RunStore store, String idOrName, String backend) {
    return store
        .getExperiment(idOrName)
        .orElseThrow(
            () ->
                CliException.notFound(
                    "Experiment '"
                        + idOrName
                        + "' not found in backend '"
                        + backend
                        + "'; 'tracelet experiments list' shows the experiments."));
  }
}
