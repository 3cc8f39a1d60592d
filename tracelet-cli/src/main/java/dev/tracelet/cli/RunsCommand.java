package dev.tracelet.cli;

import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tracelet runs list|show|compare|delete|export}. */
@Command(name = "runs", description = "List, show, compare, delete and export runs.")
final class RunsCommand {
  private static final String RUN_SORT_FIELDS =
      "Sort fields: run_id, name, status, start_time, end_time, duration, param.<key>,"
          + " metric.<key>.";

  private final CliContext context;

  RunsCommand(CliContext context) {
    this.context = context;
  }

  @Command(
      name = "list",
      description = {"List the runs of an experiment.", RUN_SORT_FIELDS})
  int list(
      @Parameters(
              paramLabel = "EXPERIMENT",
              arity = "0..1",
              description = "Experiment id or name (default: the 'project' setting).")
          @Nullable String experiment,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Sorting sorting,
      @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          String exp = experiment != null ? experiment : engine.settings().project();
          List<RunInfo> runs = store.experimentRuns(exp, sorting.sort());
          if (json.enabled) {
            context.printJson(runs.stream().map(JsonViews::run).toList());
          } else if (runs.isEmpty()) {
            context.out().println("Experiment '" + exp + "' has no runs.");
          } else {
            context.print(runTable(runs));
          }
          return ExitCodes.OK;
        });
  }

  static Table runTable(List<RunInfo> runs) {
    Table t = new Table("RUN ID", "NAME", "STATUS", "STARTED", "DURATION").keepWhole(0);
    for (RunInfo r : runs) {
      t.row(
          r.runId(),
          r.name(),
          r.status(),
          Formats.time(r.startTime()),
          r.endTime() == null ? "running" : Formats.duration(r.duration()));
    }
    return t;
  }

  @Command(
      name = "show",
      description = "Show a run: parameters, latest metrics, tags and artifacts.")
  int show(
      @Parameters(paramLabel = "RUN_ID") String runId,
      @Option(
              names = "--history",
              paramLabel = "METRIC",
              description = "Also print every point of this metric.")
          @Nullable String history,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          RunDetails d = require(store, runId, backend.name);
          List<MetricPoint> points =
              history == null ? List.of() : store.metricHistory(runId, history);
          if (json.enabled) {
            Map<String, Object> m = JsonViews.details(d);
            if (history != null) {
              m.put("history", Map.of(history, JsonViews.history(points)));
            }
            context.printJson(m);
            return ExitCodes.OK;
          }
          RunInfo i = d.info();
          Table head = new Table("FIELD", "VALUE");
          head.row("Run", i.runId());
          head.row("Name", i.name());
          head.row("Experiment", i.experimentId());
          head.row("Status", i.status());
          head.row("Started", Formats.time(i.startTime()));
          head.row("Ended", i.endTime() == null ? "(running)" : Formats.time(i.endTime()));
          head.row("Duration", Formats.duration(i.duration()));
          context.print(head);
          section("Parameters", d.params().size());
          if (!d.params().isEmpty()) {
            Table p = new Table("PARAMETER", "VALUE");
            new TreeMap<>(d.params()).forEach(p::row);
            context.print(p);
          }
          section("Metrics (latest value)", d.metrics().size());
          if (!d.metrics().isEmpty()) {
            Table m = new Table("METRIC", "VALUE");
            new TreeMap<>(d.metrics()).forEach((k, v) -> m.row(k, Formats.number(v)));
            context.print(m);
          }
          section("Tags", d.tags().size());
          if (!d.tags().isEmpty()) {
            Table t = new Table("TAG", "VALUE");
            new TreeMap<>(d.tags()).forEach(t::row);
            context.print(t);
          }
          section("Artifacts", d.artifacts().size());
          for (String a : d.artifacts()) {
            context.out().println("  " + a);
          }
          if (history != null) {
            section("History of " + history, points.size());
            if (!points.isEmpty()) {
              Table h = new Table("STEP", "TIME", "VALUE");
              for (MetricPoint p : points) {
                h.row(
                    p.step(),
                    Formats.time(Instant.ofEpochMilli(p.timestamp())),
                    Formats.number(p.value()));
              }
              context.print(h);
            }
          }
          context.out().flush();
          return ExitCodes.OK;
        });
  }

  private void section(String title, int count) {
    context.out().println();
    context.out().println(title + " (" + count + ")");
  }

  @Command(
      name = "compare",
      description = {
        "Compare runs side by side: parameters, latest metrics and the best run per metric.",
        "A metric whose name contains loss, error, mse or mae is best at its minimum, any other"
            + " at its maximum; --maximize and --minimize override that per metric."
      })
  int compare(
      @Parameters(paramLabel = "RUN_ID", arity = "2..*", description = "Two or more run ids.")
          List<String> runIds,
      @Option(
              names = "--maximize",
              paramLabel = "METRIC",
              split = ",",
              description = "Metrics where higher is better (repeatable or comma-separated).")
          @Nullable List<String> maximize,
      @Option(
              names = "--minimize",
              paramLabel = "METRIC",
              split = ",",
              description = "Metrics where lower is better (repeatable or comma-separated).")
          @Nullable List<String> minimize,
      @Option(
              names = "--diff-only",
              description = "Show only the parameters that differ between the runs.")
          boolean diffOnly,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Json json) {
    Set<String> unique = new LinkedHashSet<>(runIds);
    if (unique.size() < 2) {
      throw CliException.usage("compare needs two different run ids");
    }
    List<String> max = maximize == null ? List.of() : maximize;
    List<String> min = minimize == null ? List.of() : minimize;
    return context.withStore(
        backend.name,
        (engine, store) -> {
          List<RunDetails> runs = new ArrayList<>();
          for (String id : unique) {
            runs.add(require(store, id, backend.name));
          }
          RunComparison c = RunComparison.of(runs, max, min);
          Map<String, Map<String, String>> params = diffOnly ? c.differingParams() : c.params();
          if (json.enabled) {
            context.printJson(comparisonJson(c, params));
          } else {
            printComparison(c, params);
          }
          return ExitCodes.OK;
        });
  }

  private static Map<String, Object> comparisonJson(
      RunComparison c, Map<String, Map<String, String>> params) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", c.runs().stream().map(r -> JsonViews.run(r.info())).toList());
    m.put("params", params);
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (RunComparison.MetricRow row : c.metrics()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("values", row.values());
      r.put("goal", row.goal().name().toLowerCase(java.util.Locale.ROOT));
      r.put("best", row.best());
      metrics.put(row.name(), r);
    }
    m.put("metrics", metrics);
    return m;
  }

  private void printComparison(RunComparison c, Map<String, Map<String, String>> params) {
    List<String> ids = c.runs().stream().map(r -> r.info().runId()).toList();
    Map<String, String> label = shortIds(ids);
    Table legend = new Table("RUN", "RUN ID", "NAME", "STATUS").keepWhole(0, 1);
    for (RunDetails r : c.runs()) {
      legend.row(label.get(r.info().runId()), r.info().runId(), r.info().name(), r.info().status());
    }
    context.print(legend);
    context.out().println();
    List<String> headers = new ArrayList<>();
    headers.add("KEY");
    ids.forEach(id -> headers.add(label.get(id)));
    headers.add("BEST");
    Table t = new Table(headers.toArray(String[]::new)).keepWhole(0);
    params.forEach(
        (key, byRun) -> {
          List<Object> cells = new ArrayList<>();
          cells.add("param." + key);
          ids.forEach(id -> cells.add(byRun.getOrDefault(id, "-")));
          cells.add("");
          t.row(cells.toArray());
        });
    for (RunComparison.MetricRow row : c.metrics()) {
      List<Object> cells = new ArrayList<>();
      cells.add("metric." + row.name());
      for (String id : ids) {
        Double v = row.values().get(id);
        cells.add(v == null ? "-" : Formats.number(v));
      }
      String best =
          row.best().isEmpty()
              ? ""
              : String.join(" ", row.best().stream().map(label::get).toList())
                  + " ("
                  + row.goal().word()
                  + ")";
      cells.add(best);
      t.row(cells.toArray());
    }
    context.print(t);
  }

  /** The shortest prefixes, at least 8 characters, that tell the ids apart. */
  static Map<String, String> shortIds(List<String> ids) {
    int longest = ids.stream().mapToInt(String::length).max().orElse(0);
    for (int n = Math.min(8, longest); n < longest; n++) {
      Set<String> seen = new HashSet<>();
      boolean distinct = true;
      for (String id : ids) {
        distinct &= seen.add(id.substring(0, Math.min(n, id.length())));
      }
      if (distinct) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : ids) {
          out.put(id, id.substring(0, Math.min(n, id.length())));
        }
        return out;
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, id));
    return out;
  }

  @Command(
      name = "delete",
      description = {"Delete runs.", "Stores that soft-delete keep them until 'tracelet gc'."})
  int delete(
      @Parameters(paramLabel = "RUN_ID", arity = "1..*") List<String> runIds,
      @Mixin Mixins.Backend backend) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          // Check all first, so a typo in the third id does not leave the first two deleted.
          for (String id : runIds) {
            require(store, id, backend.name);
          }
          for (String id : new LinkedHashSet<>(runIds)) {
            store.deleteRun(id);
            context.out().println("Deleted run " + id + ".");
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "export",
      description = {
        "Export an experiment's results as CSV: one row per run, param.<key> and metric.<key>"
            + " columns.",
        RUN_SORT_FIELDS
      })
  int export(
      @Parameters(
              paramLabel = "EXPERIMENT",
              arity = "0..1",
              description = "Experiment id or name (default: the 'project' setting).")
          @Nullable String experiment,
      @Option(
              names = {"-o", "--output"},
              paramLabel = "FILE",
              description = "Write to FILE instead of standard output.")
          @Nullable Path output,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Sorting sorting) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          String exp = experiment != null ? experiment : engine.settings().project();
          ResultsTable table = store.loadResults(exp, sorting.sort());
          String csv = table.toCsv();
          if (output == null) {
            context.out().print(csv);
            context.out().flush();
            return ExitCodes.OK;
          }
          try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
              Files.createDirectories(parent);
            }
            Files.writeString(output, csv, StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new CliException("Cannot write " + output + ": " + e, ExitCodes.PROBLEM);
          }
          context
              .out()
              .println(
                  "Wrote " + table.rows().size() + " runs of '" + exp + "' to " + output + ".");
          return ExitCodes.OK;
        });
  }

  static RunDetails require(RunStore store, String runId, String backend) {
    return store
        .getRun(runId)
        .orElseThrow(
            () ->
                CliException.notFound(
                    "Run '"
                        + runId
                        + "' not found in backend '"
                        + backend
                        + "'; 'tracelet runs list' shows the runs of an experiment."));
  }
}
