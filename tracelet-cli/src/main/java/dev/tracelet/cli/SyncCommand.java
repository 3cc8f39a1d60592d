package dev.tracelet.cli;

import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.RunManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tracelet sync}: replays runs logged with {@code mode=offline} into the backends they were
 * kept from. Idempotent: what a sync delivered leaves the journal, so a second sync sends nothing
 * again, and an interrupted sync continues where it stopped.
 */
@Command(
    name = "sync",
    description = "Replay runs logged offline (mode=offline) into their remote backends.")
final class SyncCommand implements Callable<Integer> {
  private final CliContext context;

  @Parameters(arity = "0..*", paramLabel = "RUN_ID", description = "Runs to sync.")
  List<String> runIds = new ArrayList<>();

  @Option(names = "--all", description = "Sync every offline run.")
  boolean all;

  @Option(names = "--to", paramLabel = "BACKEND", description = "Only sync into this backend.")
  String to;

  @Mixin Mixins.Json json = new Mixins.Json();

  SyncCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (runIds.isEmpty() && !all) {
      throw CliException.usage("Name the runs to sync, or pass --all.");
    }
    try (TraceletEngine engine = context.openEngine()) {
      List<RunManifest> todo = new ArrayList<>();
      for (RunManifest m : engine.offlineRuns()) {
        if ((all || runIds.contains(m.runId())) && (to == null || to.equals(m.backend()))) {
          todo.add(m);
        }
      }
      List<Map<String, Object>> results = new ArrayList<>();
      boolean complete = true;
      if (todo.isEmpty() && !json.enabled) {
        context.out().println("Nothing to sync: no offline run matches.");
      }
      for (int i = 0; i < todo.size(); i++) {
        RunManifest m = todo.get(i);
        if (!json.enabled) {
          context
              .out()
              .printf("[%d/%d] run %s -> %s ... ", i + 1, todo.size(), m.runId(), m.backend());
          context.out().flush();
        }
        DeliveryReport report = engine.sync(m);
        BackendDelivery d = report.backends().get(0);
        complete &= report.complete();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run_id", m.runId());
        r.put("backend", m.backend());
        r.put("delivered", d.delivered());
        r.put("still_journaled", d.journaled());
        r.put("complete", report.complete());
        results.add(r);
        if (!json.enabled) {
          context
              .out()
              .println(
                  report.complete()
                      ? d.delivered() + " events delivered, run ended " + m.status()
                      : "incomplete: " + d);
        }
      }
      if (json.enabled) {
        context.printJson(results);
      }
      context.out().flush();
      return complete ? ExitCodes.OK : ExitCodes.PROBLEM;
    }
  }
}
