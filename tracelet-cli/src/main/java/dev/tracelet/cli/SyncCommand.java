package dev.tracelet.cli;

import dev.tracelet.core.SyncResult;
import dev.tracelet.core.SyncResult.Outcome;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.RunManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tracelet sync}: delivers runs into remote backends. A run logged with {@code mode=offline}
 * (or a backend's own offline mode, {@code WANDB_MODE=offline}) is replayed from the journal it
 * left for that backend; any other run is read from the local store and sent with {@code --to}.
 *
 * <p>Idempotent: what a journal replay delivered leaves the journal, and a store sync is recorded
 * on the stored run ({@code tracelet.synced.<backend>}), so a second sync sends nothing and says
 * so; {@code --force} sends a stored run again. Progress goes to stderr, never into {@code --json}.
 */
@Command(
    name = "sync",
    description = {
      "Deliver runs into a remote backend: runs logged offline are replayed from their journal;",
      "with --to, runs in the local store are sent too (for example runs logged only locally).",
      "Syncing twice sends nothing twice."
    })
final class SyncCommand implements Callable<Integer> {
  private final CliContext context;

  @Parameters(arity = "0..*", paramLabel = "RUN_ID", description = "Runs to sync.")
  List<String> runIds = new ArrayList<>();

  @Option(
      names = "--all",
      description =
          "Sync every offline run; with --to, also every run in the local store not yet synced"
              + " to that backend.")
  boolean all;

  @Option(
      names = "--to",
      paramLabel = "BACKEND",
      description =
          "The backend to sync into. Needed to send a run from the local store; for offline runs"
              + " it picks one of their journals.")
  String to;

  @Option(
      names = "--force",
      description =
          "Send a stored run even if it was synced before, is still running, or the backend"
              + " already has it.")
  boolean force;

  @Mixin Mixins.Json json = new Mixins.Json();

  SyncCommand(CliContext context) {
    this.context = context;
  }

  /** One run to sync into one backend. */
  private record Task(String runId, String backend) {}

  @Override
  public Integer call() {
    if (runIds.isEmpty() && !all) {
      throw CliException.usage("Name the runs to sync, or pass --all.");
    }
    if ("local".equals(to)) {
      throw CliException.usage(
          "--to local: sync reads runs from the local store; name the remote backend to send"
              + " them to.");
    }
    try (TraceletEngine engine = context.openEngine()) {
      if (to != null && engine.registry().find(to).isEmpty()) {
        throw CliException.notFound(
            "Backend '"
                + to
                + "' is not installed; installed: "
                + String.join(", ", engine.registry().names())
                + ".");
      }
      List<SyncResult> results = new ArrayList<>();
      List<Task> todo = plan(engine, results);
      boolean terminal = System.console() != null;
      int alreadySynced = 0;
      int alreadyThere = 0;
      for (SyncResult r : results) {
        report(r, 0, 0);
      }
      for (int i = 0; i < todo.size(); i++) {
        Task t = todo.get(i);
        SyncProgressLine progress =
            new SyncProgressLine(
                context.err(),
                terminal,
                String.format(
                    Locale.ROOT, "[%d/%d] %s -> %s", i + 1, todo.size(), t.runId(), t.backend()));
        SyncResult r;
        try {
          r = engine.syncRun(t.runId(), t.backend(), force, progress);
        } finally {
          progress.finish();
        }
        results.add(r);
        // Under --all, runs the backend has already are summed up at the end, not listed.
        if (all && r.outcome() == Outcome.ALREADY_SYNCED) {
          alreadySynced++;
          continue;
        }
        if (all && r.outcome() == Outcome.ALREADY_IN_BACKEND) {
          alreadyThere++;
          continue;
        }
        report(r, i + 1, todo.size());
      }
      boolean ok = true;
      for (SyncResult r : results) {
        // Under --all a run still being written is skipped, not a failure: it is synced later.
        ok &= r.outcome().ok() || (all && r.outcome() == Outcome.RUNNING);
      }
      if (json.enabled) {
        context.printJson(results.stream().map(SyncCommand::toJson).toList());
      } else if (todo.isEmpty() && results.isEmpty()) {
        context
            .out()
            .println(
                "Nothing to sync: no offline run"
                    + (to == null ? "" : " or stored run")
                    + " matches.");
      } else if (alreadySynced + alreadyThere > 0) {
        context.out().println(alreadyThereSummary(alreadySynced, alreadyThere));
      }
      context.out().flush();
      return ok ? ExitCodes.OK : ExitCodes.PROBLEM;
    }
  }

  /**
   * The runs and backends to sync: each offline run's journals (those for {@code --to} only, when
   * given), and with {@code --to} the named runs, or with {@code --all} every stored run. Named
   * runs that cannot be synced at all go straight to {@code results}.
   */
  private List<Task> plan(TraceletEngine engine, List<SyncResult> results) {
    Set<Task> todo = new LinkedHashSet<>();
    List<RunManifest> journals = engine.offlineRuns();
    if (all) {
      for (RunManifest m : journals) {
        if (to == null || to.equals(m.backend())) {
          todo.add(new Task(m.runId(), m.backend()));
        }
      }
      if (to != null) {
        for (String id : engine.storedRuns()) {
          todo.add(new Task(id, to));
        }
      }
      return new ArrayList<>(todo);
    }
    for (String id : new LinkedHashSet<>(runIds)) {
      if (to != null) {
        todo.add(new Task(id, to));
        continue;
      }
      boolean journaled = false;
      for (RunManifest m : journals) {
        if (m.runId().equals(id)) {
          todo.add(new Task(id, m.backend()));
          journaled = true;
        }
      }
      if (!journaled) {
        results.add(
            new SyncResult(
                id,
                "",
                SyncResult.Source.JOURNAL,
                Outcome.NOT_FOUND,
                0,
                0,
                0,
                null,
                "run "
                    + id
                    + " has no offline journal; to send it from the local store, name the"
                    + " backend: tracelet sync "
                    + id
                    + " --to BACKEND"));
      }
    }
    return new ArrayList<>(todo);
  }

  private String alreadyThereSummary(int synced, int there) {
    List<String> parts = new ArrayList<>();
    if (synced > 0) {
      parts.add(runs(synced) + " already synced to " + to);
    }
    if (there > 0) {
      parts.add(runs(there) + " already in " + to + " (logged there live)");
    }
    return String.join("; ", parts) + ": nothing sent (--force sends them again).";
  }

  private static String runs(int n) {
    return n == 1 ? "1 run was" : n + " runs were";
  }

  private void report(SyncResult r, int index, int count) {
    if (json.enabled) {
      return;
    }
    String where = r.backend().isEmpty() ? "run " + r.runId() : r.runId() + " -> " + r.backend();
    String prefix = count > 0 ? "[" + index + "/" + count + "] " : "";
    context.out().println(prefix + where + ": " + r.message());
    context.out().flush();
  }

  private static Map<String, Object> toJson(SyncResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", r.runId());
    m.put("backend", r.backend());
    m.put("source", r.source().name().toLowerCase(Locale.ROOT));
    m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
    m.put("delivered", r.delivered());
    m.put("total", r.total());
    m.put("artifacts", r.artifacts());
    m.put(
        "still_journaled",
        r.report() == null
            ? 0
            : r.report().backends().stream().mapToLong(BackendDelivery::journaled).sum());
    m.put("complete", r.outcome().ok());
    m.put("message", r.message());
    return m;
  }
}
